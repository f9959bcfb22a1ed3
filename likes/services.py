"""Writes of likes. Views and admin call these; what follows from a like (its owner's
notification) listens to the row's signals."""
from django.db import models

from drf_api.services import create_once
from likes.models import Like
from users.models import User


def like_create(*, owner: User, post: models.Model) -> Like:
    """`owner` likes `post`: once (a second is 400 "possible duplicate"), and not a post deleted
    at this instant (400 on `post`)."""
    return create_once(Like, owner=owner, post=post)


def like_delete(*, like: Like) -> None:
    like.delete()
