"""How posts are found: the ORM's part of a list (filters, ordering, paging); posts.reads reads them."""
from functools import cache

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery

from likes.models import Like
from posts.models import Post
from posts.reads import NEWEST_FIRST, POST


@cache
def orderable_posts() -> QuerySet:
    """Posts for the ORM to filter and order, newest first; `likes_count` and `comments_count`
    are the read path's own expressions, computed only when a list is ordered by them.

    Built once per process (0.3 ms a request, make bench); never evaluated, only cloned.
    """
    return Post.objects.annotate(
        likes_count=POST.annotation("likes_count", IntegerField()),
        comments_count=POST.annotation("comments_count", IntegerField()),
    ).order_by(*NEWEST_FIRST)


def like_time(liked_by_profile=None):
    """When each post was last liked; with a profile id, when that profile liked it."""
    likes = Like.objects.filter(post=OuterRef("pk"))
    if liked_by_profile is not None:
        likes = likes.filter(owner__profile=liked_by_profile)
    return Subquery(likes.order_by("-created_at").values("created_at")[:1])


def with_latest_like_at(queryset):
    """`ordering=likes__created_at`, annotated only when asked for.

    Under `liked=` the filter has already annotated when that profile liked each post, which is
    what the ordering then means; otherwise it is the post's latest like.
    """
    if "latest_like_at" not in queryset.query.annotations:
        queryset = queryset.annotate(latest_like_at=like_time())
    return queryset, "latest_like_at"
