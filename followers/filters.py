import django_filters

from drf_api.filters import IdFilter
from followers.models import Follower


class FollowerFilter(django_filters.FilterSet):
    owner = IdFilter(field_name="owner", label="Follows by the user with this id (whom they follow).")
    followed = IdFilter(field_name="followed", label="Follows of the user with this id (their followers).")

    class Meta:
        model = Follower
        fields = ["owner", "followed"]
