"""How posts are read: a constant number of queries for a page, whatever its size and whoever asks."""
import datetime
from collections import namedtuple
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import OuterRef, Subquery
from django.db.models.fields.files import ImageFieldFile
from django.db.models.query import BaseIterable, ValuesIterable

from comments.models import Comment
from drf_api.querysets import callers_row_id, subquery_count
from likes.models import Like
from posts.models import Post
from profiles.models import Profile

POST_COLUMNS = [
    "id", "owner_id", "created_at", "updated_at", "title", "content", "image", "image_width", "image_height",
    "image_filter",
]


@cache
def posts_with_counts():
    """Built once per process (0.3 ms a request, make bench); never evaluated, only cloned.

    Only the columns a post's page shows: not the owner's password hash, email or flags.
    """
    return (
        Post.objects.select_related("owner__profile")
        .only(*POST_COLUMNS, "owner__id", "owner__username", "owner__profile__id", "owner__profile__image")
        .annotate(
            likes_count=subquery_count(Like.objects.all(), "post"),
            comments_count=subquery_count(Comment.objects.all(), "post"),
        )
        .order_by("-created_at", "-id")
    )


def post_queryset(user):
    """Posts with their author's profile, counts and the caller's like: lists and detail alike."""
    return posts_with_counts().annotate(like_id=callers_row_id(Like.objects.filter(post=OuterRef("pk")), user))


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


POST_IMAGE, PROFILE_IMAGE = Post._meta.get_field("image"), Profile._meta.get_field("image")

# A post as a page shows it: PostSerializer renders this or a Post from post_queryset() alike.
PostRow = namedtuple(
    "PostRow",
    "id owner_id owner profile_id profile_image created_at updated_at title content image image_width image_height "
    "image_filter like_id likes_count comments_count",
)


@cache
def post_rows_select(sources=""):
    """The SELECT that reads posts as a page shows them: author, profile, counts, the caller's like
    (its one parameter); `sources` adds to the FROM list. No WHERE.

    A fixed text: psycopg prepares it after a few uses, so PostgreSQL does not parse it again, and
    Django never compiles it (make bench: compiling the ORM's equivalent and building three model
    instances a row was half of GET /posts/'s time).
    """
    users = Post._meta.get_field("owner").related_model._meta.db_table
    return f"""
        SELECT p.id, p.owner_id, u.username, pr.id, pr.image, p.created_at, p.updated_at, p.title, p.content,
               p.image, p.image_width, p.image_height, p.image_filter,
               (SELECT l.id FROM {Like._meta.db_table} AS l WHERE l.post_id = p.id AND l.owner_id = %s),
               (SELECT COUNT(*) FROM {Like._meta.db_table} AS l WHERE l.post_id = p.id),
               (SELECT COUNT(*) FROM {Comment._meta.db_table} AS c WHERE c.post_id = p.id)
        FROM {sources}{Post._meta.db_table} AS p
        JOIN {users} AS u ON u.id = p.owner_id
        LEFT JOIN {Profile._meta.db_table} AS pr ON pr.owner_id = p.owner_id
    """


def aware(moment):
    """SQLite hands back naive UTC date-times; PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def as_row(columns):
    """A PostRow from post_rows_select()'s columns."""
    (post_id, owner_id, owner, profile_id, profile_file, created_at, updated_at, title, content, image_file,
     image_width, image_height, image_filter, like_id, likes_count, comments_count) = columns
    return PostRow(
        post_id, owner_id, owner, profile_id, ImageFieldFile(None, PROFILE_IMAGE, profile_file), aware(created_at),
        aware(updated_at), title, content, ImageFieldFile(None, POST_IMAGE, image_file), image_width, image_height,
        image_filter, like_id, likes_count, comments_count,
    )


def post_rows(ids, user):
    """PostRows for `ids`, in that order (a post deleted meanwhile is left out)."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(post_rows_select() + f"WHERE p.id IN ({', '.join(['%s'] * len(ids))})", [user.id, *ids])
        by_id = {columns[0]: columns for columns in cursor.fetchall()}
    return [as_row(by_id[post_id]) for post_id in ids if post_id in by_id]


class PostRowIterable(BaseIterable):
    """What a post_rows_of() queryset yields when evaluated: its rows' ids, then PostRows.

    On PostgreSQL one statement does both: the ids query (the list's filters, ordering and
    slice, as the ORM compiled it) becomes a CTE whose array also gives the order; elsewhere
    the ids are read first, then post_rows()."""

    caller = None

    def __iter__(self):
        queryset = self.queryset
        if connections[queryset.db].vendor != "postgresql":
            yield from post_rows([row["pk"] for row in ValuesIterable(queryset)], self.caller)
            return
        try:
            ids_sql, ids_params = queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:  # a filter that can match nothing, e.g. the feed of nobody followed
            return
        sql = (
            f"WITH page AS MATERIALIZED (SELECT ARRAY(SELECT ids.pk FROM ({ids_sql}) AS ids) AS ids)"
            + post_rows_select(sources="page, ")
            + "WHERE p.id = ANY(page.ids) ORDER BY array_position(page.ids, p.id)"
        )
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, [*ids_params, self.caller.id])
            rows = cursor.fetchall()
        yield from map(as_row, rows)


def post_rows_of(posts, user):
    """`posts` (filtered and ordered) as a queryset that pages like any other and yields PostRows,
    read for `user`: a page's ids are found first (an index walk), then only those rows in full."""
    rows = posts.values("pk")
    rows._iterable_class = type("PostRowIterable", (PostRowIterable,), {"caller": user})
    return rows


def as_post_row(post):
    """The PostRow of a Post read through post_queryset()."""
    profile = post.owner.profile
    return PostRow(
        post.id, post.owner_id, post.owner.username, profile.id, profile.image, post.created_at, post.updated_at,
        post.title, post.content, post.image, post.image_width, post.image_height, post.image_filter, post.like_id,
        post.likes_count, post.comments_count,
    )
