from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from comments.models import Comment
from comments.tests.factories import CommentFactory
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

COMMENT_KEYS = {
    "id", "owner", "is_owner", "profile_id", "profile_image", "post", "created_at", "updated_at", "content",
}


def test_list_is_public_newest_first_and_filters_by_post(api_client):
    post, other_post = PostFactory(), PostFactory()
    older = CommentFactory(post=post)
    newer = CommentFactory(post=post)
    CommentFactory(post=other_post)
    assert api_client.get("/comments/").json()["count"] == 3
    results = api_client.get("/comments/", {"post": post.id}).json()["results"]
    assert [row["id"] for row in results] == [newer.id, older.id]
    assert set(results[0]) == COMMENT_KEYS
    assert results[0]["profile_id"] == newer.owner.profile.id


@pytest.mark.parametrize("value", ["abc", "1.5", "1e400"])
def test_post_filter_with_a_bad_id_is_400(api_client, value):
    response = api_client.get("/comments/", {"post": value})
    assert response.status_code == 400
    assert response.json() == {"post": ["Enter a whole number."]}


def test_post_filter_with_an_unknown_id_is_an_empty_page(api_client):
    CommentFactory()
    response = api_client.get("/comments/", {"post": 999999})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_dates_are_natural_time():
    with freeze_time("2026-01-10 12:00:00"):
        comment = CommentFactory()
    from rest_framework.test import APIClient

    with freeze_time("2026-01-10 12:02:30"):
        body = APIClient().get(f"/comments/{comment.id}/").json()
    assert body["created_at"] == "2 minutes ago"
    assert body["updated_at"] == "2 minutes ago"
    with freeze_time("2026-01-12 13:00:00"):
        body = APIClient().get(f"/comments/{comment.id}/").json()
    assert body["created_at"] == "2 days, 1 hour ago"


def test_create(auth_client, user):
    post = PostFactory()
    response = auth_client.post("/comments/", {"post": post.id, "content": "Nice!"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["owner"], body["post"], body["content"], body["is_owner"]) == (user.username, post.id, "Nice!", True)
    assert body["created_at"] == "now"


@pytest.mark.parametrize(
    "payload, errors",
    [
        ({"content": "x"}, {"post": ["This field is required."]}),
        ({"post": 999999, "content": "x"}, {"post": ['Invalid pk "999999" - object does not exist.']}),
        ({"post": "abc", "content": "x"}, {"post": ["Incorrect type. Expected pk value, received str."]}),
        ({"post": "POST", "content": ""}, {"content": ["This field may not be blank."]}),
        ({"post": "POST"}, {"content": ["This field is required."]}),
    ],
)
def test_create_rejects_bad_input(auth_client, payload, errors):
    post = PostFactory()
    payload = {key: (post.id if value == "POST" else value) for key, value in payload.items()}
    response = auth_client.post("/comments/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Comment.objects.exists()


def test_create_is_401_for_anonymous(api_client):
    response = api_client.post("/comments/", {"post": PostFactory().id, "content": "x"}, format="json")
    assert response.status_code == 401


def test_post_is_read_only_after_creation(auth_client, user):
    comment = CommentFactory(owner=user)
    elsewhere = PostFactory()
    response = auth_client.put(
        f"/comments/{comment.id}/", {"post": elsewhere.id, "content": "Edited"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["post"], response.json()["content"]) == (comment.post_id, "Edited")
    comment.refresh_from_db()
    assert comment.post_id != elsewhere.id


def test_other_user_gets_403_and_anonymous_401(other_client, api_client, user):
    comment = CommentFactory(owner=user, content="Original")
    assert other_client.patch(f"/comments/{comment.id}/", {"content": "x"}, format="json").status_code == 403
    assert other_client.delete(f"/comments/{comment.id}/").status_code == 403
    assert api_client.patch(f"/comments/{comment.id}/", {"content": "x"}, format="json").status_code == 401
    assert api_client.delete(f"/comments/{comment.id}/").status_code == 401
    comment.refresh_from_db()
    assert comment.content == "Original"


def test_lifecycle(auth_client):
    post = PostFactory()
    created = auth_client.post("/comments/", {"post": post.id, "content": "One"}, format="json").json()
    url = f"/comments/{created['id']}/"
    assert auth_client.get(url).json()["content"] == "One"
    assert auth_client.patch(url, {"content": "Two"}, format="json").json()["content"] == "Two"
    assert auth_client.get(f"/posts/{post.id}/").json()["comments_count"] == 1
    assert auth_client.delete(url).status_code == 204
    assert auth_client.get(url).status_code == 404
    assert auth_client.get(f"/posts/{post.id}/").json()["comments_count"] == 0


def test_comments_list_uses_constant_queries(auth_client, django_assert_max_num_queries):
    post = PostFactory()
    CommentFactory.create_batch(100, post=post)
    for size in (10, 100):
        # The caller's user, the `post` filter's check that the post exists, the count, the page.
        with django_assert_max_num_queries(4):
            response = auth_client.get("/comments/", {"post": post.id, "page_size": size})
        assert len(response.json()["results"]) == size


def test_old_comment_shows_days():
    comment = CommentFactory()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=3))
    from rest_framework.test import APIClient

    assert APIClient().get(f"/comments/{comment.id}/").json()["created_at"] == "3 days ago"
