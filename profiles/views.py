from rest_framework import generics

from drf_api.filters import FilterBackend, OrderingFilter, SearchFilter
from drf_api.permissions import IsOwnerOrReadOnly
from drf_api.reads import ReadPathView
from profiles import services
from profiles.filters import ProfileFilter
from profiles.models import Profile
from profiles.querysets import COUNTS, latest_follow_at, orderable_profiles
from profiles.reads import PROFILE
from profiles.serializers import ProfileInputSerializer

PROFILE_ORDERING_ALIASES = {
    # The contract's names for "most recently followed someone" / "most recently followed".
    "owner__following__created_at": latest_follow_at("owner", "latest_following_at"),
    "owner__followed__created_at": latest_follow_at("followed", "latest_followed_at"),
}


class ProfileList(ReadPathView, generics.ListAPIView):
    """Profiles, newest first; filter by who follows whom, order by counts or follow times."""

    read_path = PROFILE
    serializer_class = ProfileInputSerializer
    filter_backends = [FilterBackend, SearchFilter, OrderingFilter]
    filterset_class = ProfileFilter
    search_fields = ["owner__username", "name"]
    ordering_fields = [*COUNTS, "created_at"]
    ordering_aliases = PROFILE_ORDERING_ALIASES

    def get_queryset(self):
        return orderable_profiles()


class MostFollowedProfileList(ReadPathView, generics.ListAPIView):
    """Profiles with the most followers first; ties go to the newest profile."""

    read_path = PROFILE
    serializer_class = ProfileInputSerializer

    def get_queryset(self):
        return orderable_profiles().order_by("-followers_count", "-created_at", "-id")


class ProfileDetail(ReadPathView, generics.RetrieveUpdateAPIView):
    """A profile; its owner may change `name`, `content` and `image`."""

    read_path = PROFILE
    serializer_class = ProfileInputSerializer
    permission_classes = [IsOwnerOrReadOnly]
    queryset = Profile.objects.all()

    def perform_update(self, serializer):
        services.profile_update(profile=serializer.instance, **serializer.validated_data)
