"""How posts are read: one query for a page, whatever its size and whoever asks."""
from functools import cache

from django.db.models import OuterRef, Subquery

from comments.models import Comment
from drf_api.querysets import callers_row_id, subquery_count
from likes.models import Like
from posts.models import Post

POST_COLUMNS = ["id", "owner_id", "created_at", "updated_at", "title", "content", "image", "image_filter"]


@cache
def posts_with_counts():
    """Built once per process (0.3 ms a request, make bench); never evaluated, only cloned.

    Only the columns a post's page shows: not the owner's password hash, email or flags.
    """
    return (
        Post.objects.select_related("owner__profile")
        .only(*POST_COLUMNS, "owner__id", "owner__username", "owner__profile__id", "owner__profile__image")
        .annotate(
            likes_count=subquery_count(Like.objects.all(), "post"),
            comments_count=subquery_count(Comment.objects.all(), "post"),
        )
        .order_by("-created_at", "-id")
    )


def post_queryset(user):
    """Posts with their author's profile, counts and the caller's like: lists and detail alike."""
    return posts_with_counts().annotate(like_id=callers_row_id(Like.objects.filter(post=OuterRef("pk")), user))


def like_time(liked_by_profile=None):
    """When each post was last liked; with a profile id, when that profile liked it."""
    likes = Like.objects.filter(post=OuterRef("pk"))
    if liked_by_profile is not None:
        likes = likes.filter(owner__profile=liked_by_profile)
    return Subquery(likes.order_by("-created_at").values("created_at")[:1])


def with_latest_like_at(queryset):
    """`ordering=likes__created_at`, annotated only when asked for.

    Under `liked=` the filter has already annotated when that profile liked each post, which is
    what the ordering then means; otherwise it is the post's latest like.
    """
    if "latest_like_at" not in queryset.query.annotations:
        queryset = queryset.annotate(latest_like_at=like_time())
    return queryset, "latest_like_at"
