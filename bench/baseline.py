"""The ceiling: the posts list and the feed from one hand-written query straight to JSON.

What `GET /posts/` and `GET /posts/?followed=` answer, row for row and field for field (the
benchmark checks that the two bodies are equal), with none of the framework between the database
and the socket: no DRF view, serializer, authentication class, throttle or paginator; one SQL query
(the count included, found the way the API finds it) whose rows become JSON through orjson. It
keeps the same safety rule by hand (safety/visibility.py): no hidden post, and nothing by a
deactivated user, one the caller blocks, is blocked by or mutes. The caller is read from the access
token's signed claims without a query. Only the benchmark's URLconf routes here.
"""
import orjson
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse
from django.templatetags.static import static
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

PAGE_SIZE = 10

QUERY = """
    SELECT p.id, u.username, p.owner_id, pr.id, pr.image,
           to_char(p.created_at AT TIME ZONE 'UTC', 'DD Mon YYYY'),
           to_char(p.updated_at AT TIME ZONE 'UTC', 'DD Mon YYYY'),
           p.title, p.content, p.image, p.image_width, p.image_height, p.image_filter,
           (SELECT l.id FROM likes_like AS l WHERE l.post_id = p.id AND l.owner_id = %(user)s LIMIT 1),
           (SELECT count(*) FROM likes_like AS l WHERE l.post_id = p.id),
           (SELECT count(*) FROM comments_comment AS c WHERE c.post_id = p.id),
           ({count})
    FROM posts_post AS p
    JOIN users_user AS u ON u.id = p.owner_id
    LEFT JOIN profiles_profile AS pr ON pr.owner_id = p.owner_id
    WHERE p.id IN (
        SELECT p.id FROM posts_post AS p WHERE {where} AND {visible}
        ORDER BY p.created_at DESC, p.id DESC LIMIT %(limit)s OFFSET %(offset)s
    )
    ORDER BY p.created_at DESC, p.id DESC
"""
UNSEEN = (
    "SELECT id FROM users_user WHERE NOT is_active "
    "UNION ALL SELECT blocked_id FROM safety_block WHERE owner_id = %(user)s "
    "UNION ALL SELECT owner_id FROM safety_block WHERE blocked_id = %(user)s "
    "UNION ALL SELECT muted_id FROM safety_mute WHERE owner_id = %(user)s"
)
VISIBLE = f"p.hidden_at IS NULL AND p.owner_id NOT IN ({UNSEEN})"
# The same strategies as the API's (drf_api/pagination.py): the page's ids first, then only those
# rows in full; the whole list's count from the kept row count less the posts not shown (hidden,
# or by someone unseen: each counted through an index), a filtered one counted.
EVERY_POST = QUERY.format(
    where="true", visible=VISIBLE,
    count="SELECT (SELECT row_count FROM drf_api_row_count WHERE table_name = 'posts_post') "
          "- (SELECT count(*) FROM posts_post WHERE hidden_at IS NOT NULL) "
          f"- (SELECT count(*) FROM posts_post WHERE owner_id IN ({UNSEEN})) "
          f"+ (SELECT count(*) FROM posts_post WHERE hidden_at IS NOT NULL AND owner_id IN ({UNSEEN}))",
)
FOLLOWED = (
    "p.owner_id IN (SELECT f.followed_id FROM followers_follower AS f "
    "JOIN profiles_profile AS fp ON fp.owner_id = f.owner_id WHERE fp.id = %(followed)s)"
)
FEED = QUERY.format(where=FOLLOWED, visible=VISIBLE,
                    count=f"SELECT count(*) FROM posts_post AS p WHERE {FOLLOWED} AND {VISIBLE}")


def caller_id(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        return int(AccessToken(header.removeprefix("Bearer "))["user_id"])
    except (TokenError, KeyError, ValueError):
        return None


def media_url(request, name, default):
    return request.build_absolute_uri(default_storage.url(name) if name else static(default))


def posts(request):
    user = caller_id(request)
    page = int(request.GET.get("page", "1"))
    followed = request.GET.get("followed")
    params = {"user": user, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE, "followed": followed}
    with connection.cursor() as cursor:
        cursor.execute(FEED if followed else EVERY_POST, params)
        rows = cursor.fetchall()
    count = rows[0][-1] if rows else 0
    url = request.build_absolute_uri()
    body = {
        "count": count,
        "next": replace_query_param(url, "page", page + 1) if page * PAGE_SIZE < count else None,
        "previous": None if page == 1 else (
            remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
        ),
        "results": [
            {
                "id": post_id, "owner": username, "is_owner": user is not None and user == owner_id,
                "profile_id": profile_id,
                "profile_image": media_url(request, profile_image, settings.DEFAULT_PROFILE_IMAGE),
                "created_at": created_at, "updated_at": updated_at, "title": title, "content": content,
                "image": media_url(request, image, settings.DEFAULT_POST_IMAGE), "image_width": image_width,
                "image_height": image_height, "image_filter": image_filter,
                "like_id": like_id, "likes_count": likes_count, "comments_count": comments_count,
            }
            for (post_id, username, owner_id, profile_id, profile_image, created_at, updated_at, title, content,
                 image, image_width, image_height, image_filter, like_id, likes_count, comments_count, _) in rows
        ],
    }
    return HttpResponse(orjson.dumps(body), content_type="application/json")
