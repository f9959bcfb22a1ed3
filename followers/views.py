from rest_framework import generics

from drf_api.filters import FilterBackend
from drf_api.permissions import IsOwnerOrReadOnly
from followers import services
from followers.filters import FollowerFilter
from followers.querysets import follower_queryset
from followers.serializers import FollowerSerializer
from safety.views import VisibleToCaller


class FollowerList(VisibleToCaller, generics.ListCreateAPIView):
    """Follows, newest first; follow a user with `{"followed": user id}`. Following someone you
    block or who blocks you is 403; follows of users you block or who block you are not listed."""

    serializer_class = FollowerSerializer
    filter_backends = [FilterBackend]
    filterset_class = FollowerFilter
    queryset = follower_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.follow_create(owner=self.request.user, **serializer.validated_data)


class FollowerDetail(VisibleToCaller, generics.RetrieveDestroyAPIView):
    """A follow; only its owner may delete it (unfollow)."""

    serializer_class = FollowerSerializer
    listing = False
    permission_classes = [IsOwnerOrReadOnly]
    queryset = follower_queryset()

    def perform_destroy(self, instance):
        services.follow_delete(follow=instance)
