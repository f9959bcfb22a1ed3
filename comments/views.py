from rest_framework import generics

from comments import services
from comments.filters import CommentFilter
from comments.querysets import comment_queryset
from comments.serializers import CommentDetailSerializer, CommentSerializer
from drf_api.filters import FilterBackend
from drf_api.permissions import IsOwnerOrReadOnly
from safety.views import VisibleToCaller


class CommentList(VisibleToCaller, generics.ListCreateAPIView):
    """Comments, newest first; `?post=` for one post's. Commenting on a post you cannot see (say
    its author blocks you) is 400 as if it did not exist; comments of users you mute are not listed."""

    serializer_class = CommentSerializer
    filter_backends = [FilterBackend]
    filterset_class = CommentFilter
    queryset = comment_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.comment_create(owner=self.request.user, **serializer.validated_data)


class CommentDetail(VisibleToCaller, generics.RetrieveUpdateDestroyAPIView):
    """A comment; only its owner may change or delete it."""

    serializer_class = CommentDetailSerializer
    listing = False
    permission_classes = [IsOwnerOrReadOnly]
    queryset = comment_queryset()

    def perform_update(self, serializer):
        services.comment_update(comment=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.comment_delete(comment=instance)
