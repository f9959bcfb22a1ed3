"""Lists read only what they show of a person: never a user's password hash, email or flags.

Every list and detail that shows people (owners, authors, actors, senders) is read here with
data behind it, signed in, and its SQL is searched for the users table's private columns.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.tests.factories import CommentFactory
from followers.tests.factories import FollowerFactory
from likes.tests.factories import LikeFactory
from messaging.tests.factories import MessageFactory
from posts.tests.factories import PostFactory
from testing.clients import bearer_client
from users.authentication import caller_reader
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_COLUMNS = ("password", "email", "is_superuser", "is_staff", "last_login", "date_joined")


@pytest.fixture
def world():
    me, other = UserFactory(), UserFactory()
    post = PostFactory(owner=other)
    CommentFactory(owner=other, post=post)
    CommentFactory(owner=me, post=post)
    LikeFactory(owner=me, post=post)
    # Notifications for the caller: a follow, a like and a comment.
    FollowerFactory(owner=other, followed=me)
    LikeFactory(owner=other, post=PostFactory(owner=me))
    CommentFactory(owner=other, post=PostFactory(owner=me))
    MessageFactory(sender=other, recipient=me)
    MessageFactory(sender=me, recipient=other)
    return {"me": me, "other": other, "post": post}


def test_no_list_or_detail_reads_a_users_private_columns(world):
    other, post = world["other"], world["post"]
    paths = [
        "/posts/", f"/posts/{post.id}/", "/profiles/", f"/profiles/{other.profile.id}/", "/profiles/most_followed/",
        f"/comments/?post={post.id}", "/likes/", "/followers/", "/notifications/", "/messages/",
        f"/messages/{other.id}/", "/users/", f"/users/{other.id}/",
    ]
    client = bearer_client(world["me"])
    # Authentication reads the caller's own account in full (to refuse a deactivated one).
    caller_sql = caller_reader(connection.alias)[0].split(" WHERE ")[0]
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        sql = " ".join(query["sql"] for query in queries.captured_queries if not query["sql"].startswith(caller_sql))
        assert "users_user" in sql or "u.username" in sql, path  # people are shown
        for column in PRIVATE_COLUMNS:
            assert f'"users_user"."{column}"' not in sql and f"u.{column}" not in sql, (path, column)
