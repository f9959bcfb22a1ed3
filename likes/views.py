from rest_framework import generics

from drf_api.filters import FilterBackend
from drf_api.permissions import IsOwnerOrReadOnly
from likes import services
from likes.filters import LikeFilter
from likes.querysets import like_queryset
from likes.serializers import LikeSerializer
from safety.views import VisibleToCaller


class LikeList(VisibleToCaller, generics.ListCreateAPIView):
    """Likes, newest first; like a post with `{"post": id}` (once: a second is 400; a post you
    cannot see, say its author blocks you, is 400 as if it did not exist)."""

    serializer_class = LikeSerializer
    filter_backends = [FilterBackend]
    filterset_class = LikeFilter
    queryset = like_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.like_create(owner=self.request.user, **serializer.validated_data)


class LikeDetail(VisibleToCaller, generics.RetrieveDestroyAPIView):
    """A like; only its owner may delete it (unlike)."""

    serializer_class = LikeSerializer
    listing = False
    permission_classes = [IsOwnerOrReadOnly]
    queryset = like_queryset()

    def perform_destroy(self, instance):
        services.like_delete(like=instance)
