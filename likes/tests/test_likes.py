import pytest

from likes.models import Like
from likes.tests.factories import LikeFactory
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_list_is_public_newest_first(api_client):
    older, newer = LikeFactory(), LikeFactory()
    results = api_client.get("/likes/").json()["results"]
    assert [row["id"] for row in results] == [newer.id, older.id]
    assert set(results[0]) == {"id", "owner", "post", "created_at"}
    assert results[0]["owner"] == newer.owner.username
    assert results[0]["post"] == newer.post_id


def test_like_then_post_shows_it(auth_client, user):
    post = PostFactory()
    response = auth_client.post("/likes/", {"post": post.id}, format="json")
    assert response.status_code == 201
    like_id = response.json()["id"]
    assert response.json()["owner"] == user.username
    post_body = auth_client.get(f"/posts/{post.id}/").json()
    assert (post_body["like_id"], post_body["likes_count"]) == (like_id, 1)


def test_second_like_is_400_possible_duplicate(auth_client, user):
    post = PostFactory()
    LikeFactory(owner=user, post=post)
    response = auth_client.post("/likes/", {"post": post.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "possible duplicate"}
    assert Like.objects.filter(post=post).count() == 1


@pytest.mark.parametrize(
    "payload, errors",
    [
        ({}, {"post": ["This field is required."]}),
        ({"post": 999999}, {"post": ['Invalid pk "999999" - object does not exist.']}),
        ({"post": None}, {"post": ["This field may not be null."]}),
    ],
)
def test_bad_input_is_400(auth_client, payload, errors):
    response = auth_client.post("/likes/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors


def test_anonymous_cannot_like(api_client):
    assert api_client.post("/likes/", {"post": PostFactory().id}, format="json").status_code == 401
    assert not Like.objects.exists()


def test_only_the_owner_can_unlike(auth_client, other_client, api_client, user):
    like = LikeFactory(owner=user)
    assert api_client.delete(f"/likes/{like.id}/").status_code == 401
    assert other_client.delete(f"/likes/{like.id}/").status_code == 403
    assert Like.objects.filter(pk=like.id).exists()
    assert auth_client.delete(f"/likes/{like.id}/").status_code == 204
    assert not Like.objects.filter(pk=like.id).exists()


def test_likes_cannot_be_edited(auth_client, user):
    like = LikeFactory(owner=user)
    response = auth_client.put(f"/likes/{like.id}/", {"post": PostFactory().id}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}


def test_lifecycle(auth_client):
    post = PostFactory()
    like = auth_client.post("/likes/", {"post": post.id}, format="json").json()
    assert auth_client.get(f"/likes/{like['id']}/").json()["post"] == post.id
    assert auth_client.delete(f"/likes/{like['id']}/").status_code == 204
    assert auth_client.get(f"/likes/{like['id']}/").status_code == 404
    assert auth_client.post("/likes/", {"post": post.id}, format="json").status_code == 201


def test_likes_list_uses_constant_queries(auth_client, django_assert_max_num_queries):
    LikeFactory.create_batch(100)
    for size in (10, 100):
        with django_assert_max_num_queries(3):
            assert len(auth_client.get("/likes/", {"page_size": size}).json()["results"]) == size
