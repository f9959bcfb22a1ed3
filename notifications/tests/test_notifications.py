"""Notifications: made by follows, likes and comments of others, gone with their cause, private."""
from datetime import datetime

import pytest
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from followers.tests.factories import FollowerFactory
from likes.tests.factories import LikeFactory
from notifications.models import Notification
from posts.tests.factories import PostFactory
from testing.clients import bearer_client
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTIFICATION_KEYS = {"id", "type", "actor", "post", "comment", "created_at", "read"}


@pytest.fixture
def author(db):
    return UserFactory()


@pytest.fixture
def fan(db):
    return UserFactory()


def inbox(user, **params):
    return bearer_client(user).get("/notifications/", params).json()


def test_a_follow_a_like_and_a_comment_each_notify_the_person_concerned(author, fan):
    post = PostFactory(owner=author)
    follow = FollowerFactory(owner=fan, followed=author)
    like = LikeFactory(owner=fan, post=post)
    comment = CommentFactory(owner=fan, post=post, content="Nice light")
    body = inbox(author)
    assert body["count"] == 3
    newest_first = body["results"]
    assert [row["type"] for row in newest_first] == ["comment", "like", "follow"]
    for row in newest_first:
        assert set(row) == NOTIFICATION_KEYS
        assert row["actor"]["id"] == fan.id and row["actor"]["username"] == fan.username
        assert row["actor"]["profile_id"] == fan.profile.id
        assert row["actor"]["profile_image"].startswith("http://testserver/static/images/default_profile")
        assert row["read"] is False
        assert datetime.fromisoformat(row["created_at"]).tzinfo is not None
    commented, liked, followed = newest_first
    assert commented["comment"] == {"id": comment.id, "content": "Nice light"}
    assert commented["post"]["id"] == liked["post"]["id"] == post.id
    assert liked["post"]["title"] == post.title
    assert liked["post"]["image"].startswith("http://testserver/static/images/default_post")
    assert liked["comment"] is None and followed["post"] is None and followed["comment"] is None
    assert Notification.objects.get(follow=follow).recipient == author
    assert Notification.objects.get(like=like).actor == fan


def test_never_for_ones_own_action(author):
    post = PostFactory(owner=author)
    LikeFactory(owner=author, post=post)
    CommentFactory(owner=author, post=post)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("undo", ["unfollow", "unlike", "delete_comment", "delete_post"])
def test_undoing_the_cause_removes_the_notification(author, fan, undo):
    post = PostFactory(owner=author)
    follow = FollowerFactory(owner=fan, followed=author)
    like = LikeFactory(owner=fan, post=post)
    comment = CommentFactory(owner=fan, post=post)
    as_fan, as_author = bearer_client(fan), bearer_client(author)
    if undo == "unfollow":
        assert as_fan.delete(f"/followers/{follow.id}/").status_code == 204
        remaining = {"like", "comment"}
    elif undo == "unlike":
        assert as_fan.delete(f"/likes/{like.id}/").status_code == 204
        remaining = {"follow", "comment"}
    elif undo == "delete_comment":
        assert as_fan.delete(f"/comments/{comment.id}/").status_code == 204
        remaining = {"follow", "like"}
    else:
        assert as_author.delete(f"/posts/{post.id}/").status_code == 204
        remaining = {"follow"}
    assert {row["type"] for row in inbox(author)["results"]} == remaining


def test_a_like_that_was_refused_leaves_no_notification(author, fan):
    post = PostFactory(owner=author)
    as_fan = bearer_client(fan)
    assert as_fan.post("/likes/", {"post": post.id}, format="json").status_code == 201
    assert as_fan.post("/likes/", {"post": post.id}, format="json").status_code == 400
    assert Notification.objects.filter(type="like").count() == 1


def test_unread_filter_count_and_mark_read_all_or_up_to(author):
    fans = UserFactory.create_batch(3)
    for fan in fans:
        FollowerFactory(owner=fan, followed=author)
    ids = sorted(Notification.objects.values_list("id", flat=True))
    client = bearer_client(author)
    assert client.get("/notifications/unread/").json() == {"count": 3}
    assert client.post("/notifications/read/", {"up_to": ids[1]}, format="json").json() == {"updated": 2}
    assert client.get("/notifications/unread/").json() == {"count": 1}
    unread = client.get("/notifications/", {"unread": "true"}).json()["results"]
    assert [row["id"] for row in unread] == [ids[2]]
    assert len(client.get("/notifications/", {"unread": "false"}).json()["results"]) == 3
    assert client.post("/notifications/read/", {}, format="json").json() == {"updated": 1}
    assert client.get("/notifications/unread/").json() == {"count": 0}


def test_after_catches_up_on_what_is_newer(author):
    for fan in UserFactory.create_batch(3):
        FollowerFactory(owner=fan, followed=author)
    ids = sorted(Notification.objects.values_list("id", flat=True))
    newer = inbox(author, after=ids[0])["results"]
    assert [row["id"] for row in newer] == [ids[2], ids[1]]


def test_unread_takes_true_or_false(author):
    response = bearer_client(author).get("/notifications/", {"unread": "maybe"})
    assert response.status_code == 400
    assert response.json() == {"unread": ["Select a valid choice. maybe is not one of the available choices."]}


@pytest.mark.parametrize("after", ["1.5", "-1", "abc"])
def test_after_that_is_not_an_id_is_400(author, after):
    response = bearer_client(author).get("/notifications/", {"after": after})
    assert response.status_code == 400
    assert response.json() == {"after": ["Enter a whole number."]}


@pytest.mark.parametrize("up_to", [0, "x", 1.5])
def test_mark_read_with_a_bad_id_is_400(author, up_to):
    response = bearer_client(author).post("/notifications/read/", {"up_to": up_to}, format="json")
    assert response.status_code == 400
    assert "up_to" in response.json()


def test_nobody_sees_or_marks_anothers_notifications(author, fan):
    FollowerFactory(owner=fan, followed=author)
    stranger = bearer_client(UserFactory())
    assert stranger.get("/notifications/").json()["count"] == 0
    assert stranger.get("/notifications/unread/").json() == {"count": 0}
    assert stranger.post("/notifications/read/", {}, format="json").json() == {"updated": 0}
    assert Notification.objects.get().read is False


@pytest.mark.parametrize(
    "method, path", [("get", "/notifications/"), ("get", "/notifications/unread/"), ("post", "/notifications/read/")]
)
def test_anonymous_is_401(method, path):
    assert getattr(APIClient(), method)(path).status_code == 401


def test_the_list_runs_in_constant_queries(author, django_assert_max_num_queries):
    posts = PostFactory.create_batch(10, owner=author)
    for fan in UserFactory.create_batch(40):
        FollowerFactory(owner=fan, followed=author)
        for post in posts[:2]:
            LikeFactory(owner=fan, post=post)
            CommentFactory(owner=fan, post=post)
    client = bearer_client(author)
    for size in (10, 100):
        # The caller, the count, the page (actor, profile, post and comment joined): 3 queries.
        with django_assert_max_num_queries(3):
            assert len(client.get("/notifications/", {"page_size": size}).json()["results"]) == size
