from rest_framework import generics

from drf_api.filters import FilterBackend, OrderingFilter
from drf_api.permissions import IsOwnerOrReadOnly
from posts.filters import PostFilter, PostSearchFilter
from posts.querysets import post_queryset, post_rows_of, posts_with_counts, with_latest_like_at
from posts.serializers import PostSerializer


class PostList(generics.ListCreateAPIView):
    """Posts, newest first: the feed, a profile's posts or likes, search and orderings.

    `ordering=likes__created_at` sorts by the latest like, or, with `liked=`, by when that
    profile liked the post.
    """

    serializer_class = PostSerializer
    filter_backends = [FilterBackend, PostSearchFilter, OrderingFilter]
    filterset_class = PostFilter
    search_fields = ["title", "owner__username"]
    ordering_fields = ["likes_count", "comments_count", "created_at"]
    ordering_aliases = {"likes__created_at": with_latest_like_at}

    def get_queryset(self):
        return post_queryset(self.request.user)

    def list(self, request, *args, **kwargs):
        """A page in two steps: the ORM finds the page's ids through the filters, search,
        ordering and paging (an index walk); then a fixed SQL text reads those posts in full, in
        the same statement on PostgreSQL (posts.querysets.post_rows_of)."""
        page = self.paginate_queryset(post_rows_of(self.filter_queryset(posts_with_counts()), request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        post = serializer.save(owner=self.request.user)
        # Read it back the way lists read it, so the response carries the computed fields.
        serializer.instance = self.get_queryset().get(pk=post.pk)


class PostDetail(generics.RetrieveUpdateDestroyAPIView):
    """A post; only its owner may change or delete it."""

    serializer_class = PostSerializer
    permission_classes = [IsOwnerOrReadOnly]

    def get_queryset(self):
        return post_queryset(self.request.user)
