from rest_framework import generics

from drf_api.filters import FilterBackend, OrderingFilter, SearchFilter
from drf_api.permissions import IsOwnerOrReadOnly
from profiles.filters import ProfileFilter
from profiles.querysets import latest_follow_at, profile_queryset
from profiles.serializers import ProfileSerializer

PROFILE_ORDERING_ALIASES = {
    # The contract's names for "most recently followed someone" / "most recently followed".
    "owner__following__created_at": latest_follow_at("owner", "latest_following_at"),
    "owner__followed__created_at": latest_follow_at("followed", "latest_followed_at"),
}


class ProfileList(generics.ListAPIView):
    """Profiles, newest first; filter by who follows whom, order by counts or follow times."""

    serializer_class = ProfileSerializer
    filter_backends = [FilterBackend, SearchFilter, OrderingFilter]
    filterset_class = ProfileFilter
    search_fields = ["owner__username", "name"]
    ordering_fields = ["posts_count", "followers_count", "following_count", "created_at"]
    ordering_aliases = PROFILE_ORDERING_ALIASES

    def get_queryset(self):
        return profile_queryset(self.request.user)


class MostFollowedProfileList(generics.ListAPIView):
    """Profiles with the most followers first; ties go to the newest profile."""

    serializer_class = ProfileSerializer

    def get_queryset(self):
        return profile_queryset(self.request.user).order_by("-followers_count", "-created_at", "-id")


class ProfileDetail(generics.RetrieveUpdateAPIView):
    """A profile; its owner may change `name`, `content` and `image`."""

    serializer_class = ProfileSerializer
    permission_classes = [IsOwnerOrReadOnly]

    def get_queryset(self):
        return profile_queryset(self.request.user)
