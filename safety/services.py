"""Writes of blocks and mutes, and the lock that orders every write between two people.

A block and a write between the same two people (a follow, a like or comment on the other's
post, a message) must not both land: whichever commits second sees the first. Each takes both
users' rows in id order (`hold_pair`): a block exclusively, the others shared, so writes between
two people run side by side while a block between them waits for them, and then removes what
they made (the follows), or they wait for the block, and then see it.
"""
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from rest_framework import serializers

from drf_api.services import create_once
from safety.models import Block, Mute
from safety.visibility import visible
from users.models import User


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


@transaction.atomic
def block_create(*, owner: User, blocked: User) -> Block:
    """`owner` blocks `blocked` (once: a second is 400 "possible duplicate"). The follows between
    them, both ways, go in the same transaction (the followers app listens to the block's
    post_save), with their notifications."""
    hold_pair(owner.id, blocked.id, exclusive=True)
    return create_once(Block, owner=owner, blocked=blocked)


def block_delete(*, block: Block) -> None:
    """Unblock: each sees the other again; the removed follows stay removed."""
    block.delete()


def mute_create(*, owner: User, muted: User) -> Mute:
    """`owner` mutes `muted` (once: a second is 400 "possible duplicate")."""
    return create_once(Mute, owner=owner, muted=muted)


def mute_delete(*, mute: Mute) -> None:
    mute.delete()


def require_visible(row, viewer, *, field: str) -> None:
    """400 on `field`, as for a row that does not exist, unless `viewer` may see `row` at its URL.
    Asked again under hold_pair(), so that a block made meanwhile counts."""
    if not visible(type(row)._default_manager.filter(pk=row.pk), viewer, listing=False).exists():
        raise serializers.ValidationError({field: [f'Invalid pk "{row.pk}" - object does not exist.']})
