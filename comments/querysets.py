from comments.models import Comment
from drf_api.querysets import own_columns, person_columns


def comment_queryset():
    """Comments, newest first, with their author's profile in the same query."""
    return (
        Comment.objects.select_related("owner__profile")
        .only(*own_columns(Comment), *person_columns("owner"))
        .order_by("-created_at", "-id")
    )
