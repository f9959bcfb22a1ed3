"""Writes that touch the conversation as a whole. Views call these; they do not re-implement them."""
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from drf_api.services import save_changes
from media.stored import delete_after_commit
from messaging.models import ChatDeletion, Message
from messaging.querysets import thread_queryset
from messaging.signals import messages_read
from safety.services import hold_apart
from users.models import User

CANNOT_MESSAGE = "You cannot send messages to this user."


@transaction.atomic
def message_send(*, sender: User, recipient: User, content: str = "", image: File | None = None) -> Message:
    """Send (and so start or reopen) a conversation; not across a block either way (403). Both
    users' rows are held (safety.services.hold_apart), so a block made at this instant comes
    before this message or after it, never between its check and its row. The caller has
    validated the content."""
    hold_apart(sender.id, recipient.id, refusal=CANNOT_MESSAGE)
    return Message.objects.create(sender=sender, recipient=recipient, content=content, image=image or "")


def message_update(*, message: Message, **changes: Any) -> Message:
    """A message's new text or image, and when it was edited."""
    return save_changes(message, **changes, edited_at=timezone.now())


def message_delete(*, message: Message) -> None:
    """Delete a message for both participants; its image goes after commit (media.stored), and
    the sockets hear `message.deleted` (realtime/events.py listens to the row's signal)."""
    message.delete()


@transaction.atomic
def messages_mark_read(*, reader: User, partner: User) -> int:
    """Mark everything `partner` sent `reader` as read; how many messages changed."""
    unread = Message.objects.filter(sender=partner, recipient=reader, read=False)
    up_to = unread.aggregate(newest=Max("id"))["newest"]
    if up_to is None:
        return 0
    updated = unread.filter(id__lte=up_to).update(read=True)
    messages_read.send(sender=Message, reader=reader, partner=partner, up_to=up_to)
    return updated


@transaction.atomic
def chat_delete(*, owner: User, partner: User) -> None:
    """Hide the chat from `owner` only: record the newest message id it had.

    An upsert, so that two deletions at once cannot collide; messages sent later show again.
    """
    # Both participants' rows, locked in id order: the two deleting the chat at once take turns,
    # so the second sees the first's deletion, and they cannot deadlock on each other's row.
    list(get_user_model().objects.select_for_update().filter(id__in=[owner.id, partner.id]).order_by("id"))
    newest = thread_queryset(owner, partner).aggregate(newest=Max("id"))["newest"]
    if newest is None:
        return
    ChatDeletion.objects.bulk_create(
        [ChatDeletion(owner=owner, partner=partner, up_to_message_id=newest, deleted_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["owner", "partner"],
        update_fields=["up_to_message_id", "deleted_at"],
    )
    forget_messages_nobody_sees(owner, partner)


def forget_messages_nobody_sees(user: User, partner: User) -> None:
    """Delete the messages both participants have hidden: nobody can see them any more, so they
    go, and their images with them (deleted from storage after commit, media/stored.py).

    One DELETE, without the per-message signals of QuerySet.delete(): nobody is to be told
    (a long chat would push thousands of `message.deleted` events), and nothing refers to a
    message. The images are handed over for deletion here instead.
    """
    hidden = ChatDeletion.objects.filter(Q(owner=user, partner=partner) | Q(owner=partner, partner=user))
    up_to = [deletion.up_to_message_id for deletion in hidden]
    if len(up_to) < 2:
        return
    low, high = sorted((user.id, partner.id))
    forgotten = Message.objects.filter(user_low=low, user_high=high, id__lte=min(up_to))
    for name in forgotten.exclude(image="").values_list("image", flat=True):
        delete_after_commit(name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Message._meta.db_table} WHERE user_low = %s AND user_high = %s AND id <= %s",
            [low, high, min(up_to)],
        )
