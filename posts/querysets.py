"""How posts are read: a constant number of queries for a page, whatever its size and whoever asks."""
from collections import namedtuple
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import OuterRef, Subquery
from django.db.models.fields.files import ImageFieldFile
from django.db.models.query import BaseIterable, QuerySet, ValuesIterable

from comments.models import Comment
from drf_api.counting import count_sql, filters_nothing
from drf_api.querysets import aware, callers_row_id, subquery_count
from likes.models import Like
from posts.models import Post
from profiles.models import Profile

POST_COLUMNS = [
    "id", "owner_id", "created_at", "updated_at", "title", "content", "image", "image_width", "image_height",
    "image_filter",
]


NEWEST_FIRST = ("-created_at", "-id")
NEWEST_IDS = f"SELECT id AS pk FROM {Post._meta.db_table} ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s"


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
        .order_by(*NEWEST_FIRST)
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
def post_rows_select(sources="", extra=""):
    """The SELECT that reads posts as a page shows them: author, profile, counts, the caller's like
    (its one parameter); `sources` adds to the FROM list, `extra` to the columns. No WHERE.

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
               (SELECT COUNT(*) FROM {Comment._meta.db_table} AS c WHERE c.post_id = p.id){extra}
        FROM {sources}{Post._meta.db_table} AS p
        JOIN {users} AS u ON u.id = p.owner_id
        LEFT JOIN {Profile._meta.db_table} AS pr ON pr.owner_id = p.owner_id
    """


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
    """What a PostRows queryset yields when evaluated: PostRows, in its order."""

    def __iter__(self):
        yield from self.queryset.read()[0]


class PostRows(QuerySet):
    """Posts, filtered and ordered, as a page reads them (post_rows_of): the ORM finds the rows'
    ids (an index walk), then a fixed SQL text reads only those rows in full, for `caller`.

    On PostgreSQL one statement does both: the ids query (the list's filters, ordering and
    slice, as the ORM compiled it) becomes a CTE whose array also gives the order, and the
    count of the whole list (drf_api.counting.count_sql) can come along in it for the
    paginator (`read_counted`). Elsewhere the ids are read first, then post_rows().
    """

    caller = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fields, self._iterable_class = ("pk",), PostRowIterable

    def _clone(self):
        clone = super()._clone()
        clone.caller = self.caller
        return clone

    def read(self, counted=None):
        """This queryset's PostRows and, on PostgreSQL, the count of the rows of `counted` (this
        list unsliced) when it is given; the count is None when it is not known."""
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return post_rows([row["pk"] for row in ValuesIterable(self)], self.caller), None
        try:
            ids_sql, ids_params = self.ids_sql()
            total_sql, total_params = ("NULL", ()) if counted is None else count_sql(counted)
        except EmptyResultSet:  # a filter that can match nothing, e.g. the feed of nobody followed
            return [], 0
        sql = (
            "WITH page AS MATERIALIZED (SELECT "
            f"ARRAY(SELECT ids.pk FROM ({ids_sql}) AS ids) AS ids, ({total_sql}) AS total)"
            + post_rows_select(sources="page, ", extra=", page.total")
            + "WHERE p.id = ANY(page.ids) ORDER BY array_position(page.ids, p.id)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids_params, *total_params, self.caller.id])
            rows = cursor.fetchall()
        return [as_row(columns[:-1]) for columns in rows], (rows[0][-1] if rows else None)

    def ids_sql(self):
        """The SQL of this queryset's ids: as the ORM compiles it, or a fixed text for a page of
        every post, newest first (the home timeline, the commonest list: make bench, compiling
        it was 0.09 ms of a request's 1.4 ms of processor time)."""
        query = self.query
        if (filters_nothing(self, sliced=True) and tuple(query.order_by) == NEWEST_FIRST
                and query.high_mark is not None):
            return NEWEST_IDS, (query.high_mark - query.low_mark, query.low_mark)
        return query.get_compiler(self.db).as_sql()

    def read_counted(self, bottom, top):
        """PostRows bottom..top of this list and the count of all of them (for
        drf_api.pagination): one statement on PostgreSQL. An empty first page counts 0."""
        rows, count = self[bottom:top].read(counted=self)
        return rows, (0 if count is None and not rows and bottom == 0 else count)


def post_rows_of(posts, user):
    """`posts` (filtered and ordered) as a PostRows queryset read for `user`: it pages like any
    other queryset and yields PostRows."""
    ids = posts.values("pk")
    rows = PostRows(model=ids.model, query=ids.query, using=ids.db)
    rows.caller = user
    return rows


def as_post_row(post):
    """The PostRow of a Post read through post_queryset()."""
    profile = post.owner.profile
    return PostRow(
        post.id, post.owner_id, post.owner.username, profile.id, profile.image, post.created_at, post.updated_at,
        post.title, post.content, post.image, post.image_width, post.image_height, post.image_filter, post.like_id,
        post.likes_count, post.comments_count,
    )
