"""How posts are read: one query for a page, whatever its size and whoever asks."""
from django.db.models import OuterRef, Subquery

from comments.models import Comment
from drf_api.querysets import callers_row_id, subquery_count
from likes.models import Like
from posts.models import Post


def post_list_queryset(user):
    """Posts with their author's profile, counts, the caller's like and the latest like time."""
    return (
        Post.objects.select_related("owner__profile")
        .annotate(
            likes_count=subquery_count(Like.objects.all(), "post"),
            comments_count=subquery_count(Comment.objects.all(), "post"),
            like_id=callers_row_id(Like.objects.filter(post=OuterRef("pk")), user),
            latest_like_at=Subquery(
                Like.objects.filter(post=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
            ),
        )
        .order_by("-created_at", "-id")
    )
