"""How messages are read. Every queryset here holds only the caller's own messages (sent or
received, and not hidden by a chat deletion), so another person's message is a 404 by
construction."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from messaging.models import ChatDeletion, Message


@dataclass(frozen=True)
class Conversation:
    partner: object
    newest: Message
    unread_count: int


def partner_of(user):
    """The other participant of each message, as an expression."""
    return Case(When(sender=user.id, then=F("recipient")), default=F("sender"))


def hidden_up_to(user, partner):
    """The last message id `user` hid from the chat with `partner` (an id or an expression)."""
    deletion = ChatDeletion.objects.filter(owner=user.id, partner=partner).values("up_to_message_id")[:1]
    return Coalesce(Subquery(deletion), Value(0))


def messages_visible_to(user):
    """Every message the user may see: theirs, minus the chats they deleted."""
    return (
        Message.objects.filter(Q(user_low=user.id) | Q(user_high=user.id))
        .annotate(partner=partner_of(user))
        .filter(id__gt=hidden_up_to(user, OuterRef("partner")))
    )


def thread_queryset(user, partner):
    """The conversation between `user` and `partner`, newest first, profiles joined."""
    low, high = sorted((user.id, partner.id))
    return (
        Message.objects.filter(user_low=low, user_high=high)
        .filter(id__gt=hidden_up_to(user, partner.id))
        .select_related("sender__profile", "recipient__profile")
        .order_by("-id")
    )


def conversation_list(user, search=None):
    """The caller's conversations, most recent first, in two queries whatever their number.

    One GROUP BY over the caller's messages finds each partner's newest message id and
    unread count; one more query loads those messages with both users and profiles.
    """
    per_partner = messages_visible_to(user)
    if search:
        matching = get_user_model().objects.filter(username__icontains=search).values("id")
        per_partner = per_partner.filter(partner__in=matching)
    rows = list(
        per_partner.order_by()
        .values("partner")
        .annotate(last_id=Max("id"), unread_count=Count("id", filter=Q(recipient=user.id, read=False)))
        .order_by("-last_id")
    )
    # Only what an entry shows: 300 conversations are 1,500 model instances (make bench).
    shown = [
        f"{person}__{field}" for person in ("sender", "recipient") for field in ("id", "username", "profile__image")
    ]
    newest = (
        Message.objects.select_related("sender__profile", "recipient__profile")
        .only("id", "sender_id", "recipient_id", "content", "image", "timestamp", *shown)
        .in_bulk([row["last_id"] for row in rows])
    )
    conversations = []
    for row in rows:
        message = newest[row["last_id"]]
        partner = message.recipient if message.sender_id == user.id else message.sender
        conversations.append(Conversation(partner, message, row["unread_count"]))
    return conversations
