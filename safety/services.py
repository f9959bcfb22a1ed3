"""Writes of blocks and mutes, and the lock that orders every write between two people.

A block and a write between the same two people (a follow, a like or comment on the other's
post, a message) must not both land: whichever commits second sees the first. Each takes both
users' rows in id order (`hold_pair`): a block exclusively, the others shared, so writes between
two people run side by side while a block between them waits for them, and then removes what
they made (the follows), or they wait for the block, and then see it.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser as User
from django.db import connection
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from drf_api.services import create_once
from safety.models import Block, Mute
from safety.visibility import apart, visible


def hold_pair(first: int, second: int, *, exclusive: bool = False) -> None:
    """Lock two users' rows in id order until the transaction ends: shared (FOR KEY SHARE) for a
    write between them, `exclusive` (FOR UPDATE) for a block. Call it inside a transaction.

    SQLite needs no row lock: its transactions here take the database's write lock when they
    begin (drf_api.settings), so they run one at a time."""
    if connection.vendor != "postgresql":
        return
    mode = "UPDATE" if exclusive else "KEY SHARE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {get_user_model()._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR {mode}",
            [sorted({first, second})],
        )


def hold_apart(first: int, second: int, *, refusal: str) -> None:
    """Hold both users (hold_pair), then 403 `refusal` while either blocks the other: the guard of
    a write between two people (a follow, a message)."""
    hold_pair(first, second)
    if apart(first, second):
        raise PermissionDenied(refusal)


def block_create(*, owner: User, blocked: User) -> Block:
    """`owner` blocks `blocked` (once: a second is 400 "possible duplicate"). The follows between
    them, both ways, go in the same transaction (the followers app listens to the block's
    post_save), and every notification between them (the notifications app listens too)."""
    return create_once(Block, guard=lambda: hold_pair(owner.id, blocked.id, exclusive=True), owner=owner,
                       blocked=blocked)


def block_delete(*, block: Block) -> None:
    """Unblock: each sees the other again; the removed follows stay removed."""
    block.delete()


def mute_create(*, owner: User, muted: User) -> Mute:
    """`owner` mutes `muted` (once: a second is 400 "possible duplicate")."""
    return create_once(Mute, owner=owner, muted=muted)


def mute_delete(*, mute: Mute) -> None:
    mute.delete()


def hold_visible(viewer: User, post) -> None:
    """Hold `viewer` and `post`'s owner (hold_pair), then 400 on `post`, as for a post that does
    not exist, unless `viewer` may see it at its URL: asked again under the lock, so that a block
    made meanwhile counts (a like's or comment's guard: drf_api.services.create_once)."""
    hold_pair(viewer.id, post.owner_id)
    if not visible(type(post)._default_manager.filter(pk=post.pk), viewer, listing=False).exists():
        raise serializers.ValidationError({"post": [f'Invalid pk "{post.pk}" - object does not exist.']})
