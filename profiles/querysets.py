"""How profiles are read: one query for a page, whatever its size and whoever asks."""
from django.db.models import OuterRef, Subquery

from drf_api.querysets import callers_row_id, own_columns, person_columns, subquery_count
from followers.models import Follower
from posts.models import Post
from profiles.models import Profile


def latest_follow_at(user_field, name):
    """An ordering alias (drf_api.filters.OrderingFilter): when the profile's owner last followed
    someone (`user_field="owner"`) or was followed, annotated as `name` only when asked for."""

    def annotate(queryset):
        rows = Follower.objects.filter(**{user_field: OuterRef("owner")}).order_by("-created_at")
        return queryset.annotate(**{name: Subquery(rows.values("created_at")[:1])}), name

    return annotate


def profile_queryset(user):
    """Profiles with their counts and the caller's follow (if any).

    Only the columns a profile shows: of its owner, the id and username (not the password hash,
    email or flags).
    """
    return (
        Profile.objects.select_related("owner")
        .only(*own_columns(Profile), *person_columns("owner", profile=False))
        .annotate(
            posts_count=subquery_count(Post.objects.all(), "owner", ref="owner"),
            followers_count=subquery_count(Follower.objects.all(), "followed", ref="owner"),
            following_count=subquery_count(Follower.objects.all(), "owner", ref="owner"),
            following_id=callers_row_id(Follower.objects.filter(followed=OuterRef("owner")), user),
        )
        .order_by("-created_at", "-id")
    )
