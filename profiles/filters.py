import django_filters

from profiles.models import Profile


class ProfileFilter(django_filters.FilterSet):
    owner__following__followed__profile = django_filters.NumberFilter(
        label="Profiles that follow the profile with this id (its followers)."
    )
    owner__followed__owner__profile = django_filters.NumberFilter(
        label="Profiles followed by the profile with this id."
    )

    class Meta:
        model = Profile
        fields = ["owner__following__followed__profile", "owner__followed__owner__profile"]
