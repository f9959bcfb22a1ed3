from drf_api.querysets import own_columns, person_columns
from followers.models import Follower


def follower_queryset():
    """Follows, newest first, with both users' usernames in the same query."""
    return (
        Follower.objects.select_related("owner", "followed")
        .only(
            *own_columns(Follower), *person_columns("owner", profile=False), *person_columns("followed", profile=False)
        )
        .order_by("-created_at", "-id")
    )
