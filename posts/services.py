"""Writes of posts. Views and admin call these. A stored image is processed as it is saved and a
replaced one deleted after commit (media.stored); a deleted post locks its row before its likes
and comments go (posts.models.Post.delete)."""
from typing import Any

from django.core.files import File

from drf_api.services import save_changes
from posts.models import Post
from users.models import User


def post_create(*, owner: User, title: str, content: str = "", image: File | str | None = None,
                image_filter: str = Post.ImageFilter.NORMAL) -> Post:
    return Post.objects.create(owner=owner, title=title, content=content, image=image or "", image_filter=image_filter)


def post_update(*, post: Post, **changes: Any) -> Post:
    return save_changes(post, **changes)


def post_delete(*, post: Post) -> None:
    post.delete()
