"""Writes of comments. Views and admin call these; what follows from a comment (the post owner's
notification) listens to the row's signals."""
from typing import Any

from django.db import models

from comments.models import Comment
from drf_api.services import create_once, save_changes
from safety.services import hold_visible
from users.models import User


def comment_create(*, owner: User, post: models.Model, content: str) -> Comment:
    """A comment on `post`; on a post the caller cannot see, 400 as for a missing post (also when
    its owner blocks them at this instant: safety.services.hold_pair); on a post deleted at this
    instant, 400 on `post` (the post's delete locks it first: posts.models.Post.delete)."""
    return create_once(Comment, guard=lambda: hold_visible(owner, post), owner=owner, post=post, content=content)


def comment_update(*, comment: Comment, **changes: Any) -> Comment:
    """A comment's new text (a comment stays on its post)."""
    return save_changes(comment, **changes)


def comment_delete(*, comment: Comment) -> None:
    comment.delete()
