"""How profiles are read: one query for a page, whatever its size and whoever asks."""
from django.db.models import OuterRef, Subquery

from drf_api.querysets import callers_row_id, subquery_count
from followers.models import Follower
from posts.models import Post
from profiles.models import Profile


def latest_follow_at(user_field):
    rows = Follower.objects.filter(**{user_field: OuterRef("owner")}).order_by("-created_at").values("created_at")
    return Subquery(rows[:1])


def profile_queryset(user):
    """Profiles with their counts, the caller's follow (if any) and their latest follow times."""
    return (
        Profile.objects.select_related("owner")
        .annotate(
            posts_count=subquery_count(Post.objects.all(), "owner", ref="owner"),
            followers_count=subquery_count(Follower.objects.all(), "followed", ref="owner"),
            following_count=subquery_count(Follower.objects.all(), "owner", ref="owner"),
            following_id=callers_row_id(Follower.objects.filter(followed=OuterRef("owner")), user),
            latest_following_at=latest_follow_at("owner"),
            latest_followed_at=latest_follow_at("followed"),
        )
        .order_by("-created_at", "-id")
    )
