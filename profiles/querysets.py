"""How profiles are found: the ORM's part of a list (filters, ordering, paging); profiles.reads
reads them."""
from functools import cache

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery

from followers.models import Follower
from profiles.models import Profile
from profiles.reads import PROFILE

COUNTS = ["posts_count", "followers_count", "following_count"]


def latest_follow_at(user_field, name):
    """An ordering alias (drf_api.filters.OrderingFilter): when the profile's owner last followed
    someone (`user_field="owner"`) or was followed, annotated as `name` only when asked for."""

    def annotate(queryset):
        rows = Follower.objects.filter(**{user_field: OuterRef("owner")}).order_by("-created_at")
        return queryset.annotate(**{name: Subquery(rows.values("created_at")[:1])}), name

    return annotate


@cache
def orderable_profiles() -> QuerySet:
    """Profiles for the ORM to filter and order, newest first; the counts are the read path's own
    expressions, computed only when a list is ordered by them. Built once per process."""
    counts = {name: PROFILE.annotation(name, IntegerField()) for name in COUNTS}
    return Profile.objects.annotate(**counts).order_by("-created_at", "-id")
