from drf_api.querysets import own_columns, person_columns
from likes.models import Like


def like_queryset():
    """Likes, newest first, with their owner's username in the same query."""
    return (
        Like.objects.select_related("owner")
        .only(*own_columns(Like), *person_columns("owner", profile=False))
        .order_by("-created_at", "-id")
    )
