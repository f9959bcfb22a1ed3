"""Writes of likes. Views and admin call these; what follows from a like (its owner's
notification) listens to the row's signals."""
from django.db import models

from drf_api.services import create_once
from likes.models import Like
from safety.services import hold_visible
from users.models import User


def like_create(*, owner: User, post: models.Model) -> Like:
    """`owner` likes `post`: once (a second is 400 "possible duplicate"), not a post they cannot
    see (400 as for a missing post, also when its owner blocks them at this instant:
    safety.services.hold_pair), and not a post deleted at this instant (400 on `post`)."""
    return create_once(Like, guard=lambda: hold_visible(owner, post), owner=owner, post=post)


def like_delete(*, like: Like) -> None:
    like.delete()
