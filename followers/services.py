"""Writes of follows. Views and admin call these; what follows from a follow (the followed user's
notification) listens to the row's signals."""
from drf_api.services import create_once
from followers.models import Follower
from safety.services import hold_apart
from users.models import User

CANNOT_FOLLOW = "You cannot follow this user."


def follow_create(*, owner: User, followed: User) -> Follower:
    """`owner` follows `followed`: once (a second is 400 "possible duplicate"), and not across a
    block either way (403). Both users' rows are held (safety.services.hold_apart) so that a
    block made at this instant either sees this follow and removes it, or is seen here."""
    return create_once(Follower, guard=lambda: hold_apart(owner.id, followed.id, refusal=CANNOT_FOLLOW),
                       owner=owner, followed=followed)


def follow_delete(*, follow: Follower) -> None:
    follow.delete()
