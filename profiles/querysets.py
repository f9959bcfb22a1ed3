"""How profiles are read: one query for a page, whatever its size and whoever asks."""
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from followers.models import Follower
from posts.models import Post
from profiles.models import Profile


def count_for_owner(model, user_field):
    """How many `model` rows have `user_field` equal to the profile's user, as a subquery.

    Subqueries, not Count() joins: two joined Count()s multiply each other.
    """
    rows = (
        model.objects.filter(**{user_field: OuterRef("owner")})
        .order_by()
        .values(user_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def latest_follow_at(user_field):
    rows = Follower.objects.filter(**{user_field: OuterRef("owner")}).order_by("-created_at").values("created_at")
    return Subquery(rows[:1])


def profile_list_queryset(user):
    """Profiles with their counts, the caller's follow (if any) and their latest follow times."""
    if user.is_authenticated:
        my_follow = Follower.objects.filter(owner=user, followed=OuterRef("owner")).values("id")[:1]
        following_id = Subquery(my_follow, output_field=IntegerField())
    else:
        following_id = Value(None, output_field=IntegerField())
    return (
        Profile.objects.select_related("owner")
        .annotate(
            posts_count=count_for_owner(Post, "owner"),
            followers_count=count_for_owner(Follower, "followed"),
            following_count=count_for_owner(Follower, "owner"),
            following_id=following_id,
            latest_following_at=latest_follow_at("owner"),
            latest_followed_at=latest_follow_at("followed"),
        )
        .order_by("-created_at", "-id")
    )
