"""An account's data export: one JSON document, written a chunk at a time.

Every section is what the caller owns or received, in the representation its REST endpoint
shows (the same read paths and serializers, the caller as the viewer), images as absolute URLs.
Rows are read by id in chunks of CHUNK (keyset: `id > last`), rendered and handed to the server
before the next chunk is read, so that an account with 10,000 posts and 50,000 messages is
exported in the memory of one chunk (make bench-export measures it).

Nothing is filtered by the safety rule here: the caller's own hidden posts, or messages from
someone they block, are still theirs. Nothing of anyone else's is in it beyond what the caller
received (messages to them, notifications to them) and the names and ids their rows show
(whom they follow, who follows them, whom they block).
"""
from collections.abc import Callable, Iterator

from django.db.models import Q, QuerySet
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.request import Request

from comments.querysets import comment_queryset
from comments.serializers import CommentSerializer
from drf_api.reads import ReadPath, caller_params
from followers.querysets import follower_queryset
from followers.serializers import FollowerSerializer
from likes.querysets import like_queryset
from likes.serializers import LikeSerializer
from messaging.models import Message
from messaging.reads import MESSAGE
from moderation.models import Report
from moderation.serializers import ReportSerializer
from notifications.models import Notification
from notifications.serializers import NotificationSerializer
from posts.models import Post
from posts.reads import POST
from profiles.models import Profile
from profiles.reads import PROFILE
from safety.models import Block, Mute
from safety.serializers import BlockSerializer, MuteSerializer
from users.serializers import CurrentUserSerializer

CHUNK = 500
SECTIONS = ("user", "profile", "posts", "comments", "likes", "following", "followers", "messages",
            "notifications", "blocks", "mutes", "reports")

_renderer = ORJSONRenderer()


def to_json(data) -> bytes:
    return _renderer.render(data)


def ids_in_chunks(rows: QuerySet) -> Iterator[list[int]]:
    """The ids of `rows`, ascending, CHUNK at a time, each chunk its own query."""
    last = 0
    while True:
        chunk = list(rows.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def read_path_rows(path: ReadPath, rows: QuerySet, request: Request) -> Iterator[list]:
    """`rows` as `path` shows them to the caller, a chunk at a time."""
    params = caller_params(request.user)
    for ids in ids_in_chunks(rows):
        yield [path.to_json(row, request) for row in path.read(ids, params)]


def serialized_rows(rows: QuerySet, serializer: type, request: Request, base: QuerySet) -> Iterator[list]:
    """`rows` as `serializer` shows them (read through `base`, its endpoint's queryset), a chunk at a time."""
    for ids in ids_in_chunks(rows):
        chunk = base.filter(id__in=ids).order_by("id")
        yield serializer(chunk, many=True, context={"request": request}).data


def sections(request: Request) -> dict[str, Callable[[], Iterator[list]] | Callable[[], object]]:
    """Each section's rows (a generator of chunks), or for `user` and `profile` its one object."""
    user = request.user
    mine = Q(owner=user.id)

    def profile():
        found = Profile.objects.filter(owner=user.id).values_list("id", flat=True).first()
        rows = PROFILE.read([found], caller_params(user)) if found is not None else []
        return PROFILE.to_json(rows[0], request) if rows else None

    return {
        "user": lambda: CurrentUserSerializer(user, context={"request": request}).data,
        "profile": profile,
        "posts": lambda: read_path_rows(POST, Post.objects.filter(mine), request),
        "comments": lambda: serialized_rows(comment_queryset().filter(mine), CommentSerializer, request,
                                            comment_queryset()),
        "likes": lambda: serialized_rows(like_queryset().filter(mine), LikeSerializer, request, like_queryset()),
        "following": lambda: serialized_rows(follower_queryset().filter(mine), FollowerSerializer, request,
                                             follower_queryset()),
        "followers": lambda: serialized_rows(follower_queryset().filter(followed=user.id), FollowerSerializer,
                                             request, follower_queryset()),
        "messages": lambda: read_path_rows(
            MESSAGE, Message.objects.filter(Q(sender=user.id) | Q(recipient=user.id)), request),
        "notifications": lambda: serialized_rows(
            Notification.objects.filter(recipient=user.id), NotificationSerializer, request,
            Notification.objects.select_related("actor__profile", "post", "comment")),
        "blocks": lambda: serialized_rows(Block.objects.filter(mine), BlockSerializer, request,
                                          Block.objects.select_related("owner", "blocked")),
        "mutes": lambda: serialized_rows(Mute.objects.filter(mine), MuteSerializer, request,
                                         Mute.objects.select_related("owner", "muted")),
        "reports": lambda: serialized_rows(Report.objects.filter(reporter=user.id), ReportSerializer, request,
                                           Report.objects.all()),
    }


def export_chunks(request: Request) -> Iterator[bytes]:
    """The caller's export as JSON, in pieces: `{"user": ..., "posts": [...], ...}`."""
    parts = sections(request)
    yield b"{"
    for index, name in enumerate(SECTIONS):
        yield (b"," if index else b"") + to_json(name) + b":"
        produced = parts[name]()
        if not isinstance(produced, Iterator):
            yield to_json(produced)
            continue
        yield b"["
        first = True
        for chunk in produced:
            if chunk:
                # One write per chunk: the chunk's items, without the brackets of their list.
                yield (b"" if first else b",") + to_json(list(chunk))[1:-1]
                first = False
        yield b"]"
    yield b"}"
