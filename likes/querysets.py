from likes.models import Like


def like_queryset():
    """Likes, newest first, with their owner's username in the same query."""
    return Like.objects.select_related("owner").order_by("-created_at", "-id")
