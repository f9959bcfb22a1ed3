from followers.models import Follower


def follower_queryset():
    """Follows, newest first, with both users' usernames in the same query."""
    return Follower.objects.select_related("owner", "followed").order_by("-created_at", "-id")
