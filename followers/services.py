"""Writes of follows. Views and admin call these; what follows from a follow (the followed user's
notification) listens to the row's signals."""
from drf_api.services import create_once
from followers.models import Follower
from users.models import User


def follow_create(*, owner: User, followed: User) -> Follower:
    """`owner` follows `followed`: once (a second is 400 "possible duplicate")."""
    return create_once(Follower, owner=owner, followed=followed)


def follow_delete(*, follow: Follower) -> None:
    follow.delete()
