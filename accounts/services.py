"""An account's end: everything it is made of, deleted in one transaction.

This app stands on top of every other (like moderation): an account is made of rows of all of
them, so the one list of what goes lives here, in the order that nothing is left pointing at a
deleted row. Rows are deleted set-based (drf_api.services.delete_rows: one statement per table,
whatever the account's size), not one model instance at a time: an account with 50,000 messages
would otherwise load each and tell the socket about each. The counts other people see are read
from the rows (and, on PostgreSQL, kept by triggers that see these deletes too), so they drop.

What the rows' own deletion would have done on the way is done here once:
- the stored images of the account's profile, posts and messages (sent and received) are
  deleted after commit, from a worker thread (media.stored.delete_many_after_commit);
- every sign-in of the account ends (users.sessions.revoke_families): its access and refresh
  tokens are refused at once and its open sockets are closed (4003) after commit.
What is left is removed through the ORM with the user row (`user.delete()`): its sign-ins, open
sockets, e-mail addresses, admin log entries; a moderator's name on reports they handled goes to
null (the reports stay).
"""
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from comments.models import Comment
from drf_api.services import delete_rows
from followers.models import Follower
from likes.models import Like
from media.stored import StoredImageField, delete_many_after_commit
from messaging.models import ChatDeletion, Message
from moderation.models import Report
from notifications.models import Notification
from posts.models import Post
from profiles.models import Profile
from safety.models import Block, Mute
from users.models import SessionFamily
from users.sessions import revoke_families


def account_rows(user_id: int) -> list[tuple[type[Model], QuerySet]]:
    """What deleting the account `user_id` deletes: (model, queryset) in the order they go, every
    row that points at another going before it."""
    posts = Q(post__owner=user_id)
    comments = Comment.objects.filter(Q(owner=user_id) | posts)
    likes = Like.objects.filter(Q(owner=user_id) | posts)
    follows = Follower.objects.filter(Q(owner=user_id) | Q(followed=user_id))
    messages = Message.objects.filter(Q(sender=user_id) | Q(recipient=user_id))
    return [
        (Report, Report.objects.filter(
            Q(reporter=user_id) | Q(author=user_id) | posts | Q(comment__in=comments.values("id"))
            | Q(message__in=messages.values("id")) | Q(profile__owner=user_id))),
        (Notification, Notification.objects.filter(
            Q(recipient=user_id) | Q(actor=user_id) | posts | Q(comment__in=comments.values("id"))
            | Q(like__in=likes.values("id")) | Q(follow__in=follows.values("id")))),
        (Like, likes),
        (Comment, comments),
        (Follower, follows),
        (ChatDeletion, ChatDeletion.objects.filter(Q(owner=user_id) | Q(partner=user_id))),
        (Message, messages),
        (Block, Block.objects.filter(Q(owner=user_id) | Q(blocked=user_id))),
        (Mute, Mute.objects.filter(Q(owner=user_id) | Q(muted=user_id))),
        (Post, Post.objects.filter(owner=user_id)),
        (Profile, Profile.objects.filter(owner=user_id)),
        (OutstandingToken, OutstandingToken.objects.filter(user=user_id)),
    ]


def stored_images(user_id: int) -> Iterator[str]:
    """The names of every stored image the account's deletion removes: of each kind of row in
    account_rows() that has a stored image field (a profile's, a post's, a message's)."""
    for model, rows in account_rows(user_id):
        for image in (field for field in model._meta.concrete_fields if isinstance(field, StoredImageField)):
            names = rows.exclude(**{image.name: ""}).values_list(image.name, flat=True)
            yield from names.iterator(chunk_size=2000)


@transaction.atomic
def delete_account(user: AbstractBaseUser) -> dict[str, int]:
    """Delete `user` and everything of theirs (account_rows); how many rows went, by model label.

    The user's row is locked first (FOR UPDATE), in the order safety.services.hold_pair takes
    users: a like, comment, follow or message aimed at them that is under way finishes first and
    is deleted with the rest; one that starts meanwhile waits, then finds them gone (a 400 or 403,
    never a row pointing at nobody). A second deletion of the same account finds nothing to do."""
    model = get_user_model()
    if model.objects.select_for_update().filter(pk=user.pk).first() is None:
        return {}
    revoke_families(SessionFamily.objects.filter(user=user.pk), SessionFamily.Revoked.ACCOUNT_DELETED)
    delete_many_after_commit(list(stored_images(user.pk)))
    deleted: dict[str, int] = {}
    for rows_model, rows in account_rows(user.pk):
        deleted[rows_model._meta.label] = delete_rows(rows)
    _, by_model = model.objects.filter(pk=user.pk).delete()
    for label, count in by_model.items():
        deleted[label] = deleted.get(label, 0) + count
    return {label: count for label, count in deleted.items() if count}
