"""How a post is read and shown: its columns, declared once (drf_api.reads).

A post shows its author (username, profile id and image), its counts of likes and comments, and
the caller's like, if any: `%(user)s` is the caller's id (null when signed out).
"""
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from comments.models import Comment
from drf_api.counting import filters_nothing
from drf_api.reads import Column, ReadList, ReadPath, callers_column, id_column, moment_column
from drf_api.serializers import DisplayDateField
from likes.models import Like
from media.images import image_columns
from posts.models import Post
from profiles.models import Profile
from profiles.reads import profile_image_column

POSTS, USERS, PROFILES = Post._meta.db_table, get_user_model()._meta.db_table, Profile._meta.db_table
LIKES, COMMENTS = Like._meta.db_table, Comment._meta.db_table

NEWEST_FIRST = ("-created_at", "-id")
NEWEST_IDS = f"SELECT id AS pk FROM {POSTS} WHERE %s ORDER BY created_at DESC, id DESC LIMIT %%s OFFSET %%s"


class PostReadPath(ReadPath):
    def ids_sql(self, rows: ReadList) -> tuple[str, Sequence[Any]]:
        """A page of every post the caller may see, newest first (the home timeline, the commonest
        list), by a nearly fixed text: compiling the ORM's was 0.09 ms of a request's 1.4 ms of
        processor time (make bench)."""
        whole, bounds = rows.whole, rows.bounds
        if (filters_nothing(whole) and tuple(whole.query.order_by) == NEWEST_FIRST and bounds is not None
                and bounds.stop is not None):
            shown = None if rows.viewer is None else self.shown_sql(rows.viewer, listing=True, using=whole.db)
            where, params = shown or ("TRUE", [])
            bottom = bounds.start or 0
            return NEWEST_IDS % where, (*params, bounds.stop - bottom, bottom)
        return super().ids_sql(rows)


POST = PostReadPath(
    "Post", "A post as everyone sees it, with its author, its counts and the caller's like.",
    f"{POSTS} JOIN {USERS} AS u ON u.id = {POSTS}.owner_id LEFT JOIN {PROFILES} AS pr ON pr.owner_id = u.id",
    model=Post, columns=[
        id_column(POSTS),
        Column("owner", "u.username", serializers.CharField(read_only=True, help_text="The author's username.")),
        callers_column("is_owner", f"{POSTS}.owner_id", "Whether the caller wrote it."),
        Column("profile_id", "pr.id", serializers.IntegerField(read_only=True, help_text="The author's profile.")),
        profile_image_column("profile_image", "pr", "The author's profile image, or the default one."),
        moment_column("created_at", f"{POSTS}.created_at", DisplayDateField(read_only=True)),
        moment_column("updated_at", f"{POSTS}.updated_at", DisplayDateField(read_only=True)),
        Column("title", f"{POSTS}.title", serializers.CharField(read_only=True)),
        Column("content", f"{POSTS}.content", serializers.CharField(read_only=True)),
        *image_columns(POSTS, Post, "DEFAULT_POST_IMAGE", description="The post's image"),
        Column("image_filter", f"{POSTS}.image_filter",
               serializers.ChoiceField(Post.ImageFilter.choices, read_only=True)),
        Column("like_id", f"(SELECT l.id FROM {LIKES} AS l WHERE l.post_id = {POSTS}.id AND l.owner_id = %(user)s)",
               serializers.IntegerField(read_only=True, allow_null=True, help_text="The caller's like of this post.")),
        Column("likes_count", f"(SELECT COUNT(*) FROM {LIKES} AS l WHERE l.post_id = {POSTS}.id)",
               serializers.IntegerField(read_only=True)),
        Column("comments_count", f"(SELECT COUNT(*) FROM {COMMENTS} AS c WHERE c.post_id = {POSTS}.id)",
               serializers.IntegerField(read_only=True)),
    ],
)


# A profile shows how many posts its owner wrote: this app's column of the profiles' read path
# (added in posts/apps.py, so that profiles need not know posts).
POSTS_COUNT = Column(
    "posts_count", f"(SELECT COUNT(*) FROM {POSTS} AS w WHERE w.owner_id = {PROFILES}.owner_id)",
    serializers.IntegerField(read_only=True, help_text="How many posts the profile's owner wrote."),
)
