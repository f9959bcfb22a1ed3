from rest_framework import generics

from drf_api.filters import FilterBackend, OrderingFilter
from drf_api.permissions import IsOwnerOrReadOnly
from drf_api.reads import ReadPathView
from posts import services
from posts.filters import PostFilter, PostSearchFilter
from posts.models import Post
from posts.querysets import orderable_posts, with_latest_like_at
from posts.reads import POST
from posts.serializers import PostInputSerializer


class PostList(ReadPathView, generics.ListCreateAPIView):
    """Posts, newest first: the feed, a profile's posts or likes, search and orderings. Posts of
    users you block, who block you or whom you mute, and hidden posts, are not listed.

    `ordering=likes__created_at` sorts by the latest like, or, with `liked=`, by when that
    profile liked the post.
    """

    read_path = POST
    serializer_class = PostInputSerializer
    filter_backends = [FilterBackend, PostSearchFilter, OrderingFilter]
    filterset_class = PostFilter
    search_fields = ["title", "owner__username"]
    ordering_fields = ["likes_count", "comments_count", "created_at"]
    ordering_aliases = {"likes__created_at": with_latest_like_at}

    def get_queryset(self):
        return orderable_posts()

    def perform_create(self, serializer):
        serializer.instance = services.post_create(owner=self.request.user, **serializer.validated_data)


class PostDetail(ReadPathView, generics.RetrieveUpdateDestroyAPIView):
    """A post; only its owner may change or delete it."""

    read_path = POST
    serializer_class = PostInputSerializer
    permission_classes = [IsOwnerOrReadOnly]
    queryset = Post.objects.all()

    def perform_update(self, serializer):
        services.post_update(post=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.post_delete(post=instance)
