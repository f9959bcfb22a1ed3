import django_filters

from drf_api.filters import IdFilter
from profiles.models import Profile


class ProfileFilter(django_filters.FilterSet):
    owner__following__followed__profile = IdFilter(
        label="Profiles that follow the profile with this id (its followers)."
    )
    owner__followed__owner__profile = IdFilter(
        label="Profiles followed by the profile with this id."
    )

    class Meta:
        model = Profile
        fields = ["owner__following__followed__profile", "owner__followed__owner__profile"]
