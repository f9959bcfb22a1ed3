import pytest
from django.db import IntegrityError, transaction

from followers.models import Follower
from followers.tests.factories import FollowerFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_list_is_public_newest_first(api_client):
    older, newer = FollowerFactory(), FollowerFactory()
    results = api_client.get("/followers/").json()["results"]
    assert [row["id"] for row in results] == [newer.id, older.id]
    assert set(results[0]) == {"id", "owner", "created_at", "followed", "followed_name"}
    assert (results[0]["followed"], results[0]["followed_name"]) == (newer.followed_id, newer.followed.username)


def test_follow_updates_profile_counts_and_following_id(auth_client, user, other_user):
    response = auth_client.post("/followers/", {"followed": other_user.id}, format="json")
    assert response.status_code == 201
    follow_id = response.json()["id"]
    assert response.json()["followed_name"] == other_user.username
    profile = auth_client.get(f"/profiles/{other_user.profile.id}/").json()
    assert (profile["following_id"], profile["followers_count"]) == (follow_id, 1)
    assert auth_client.get(f"/profiles/{user.profile.id}/").json()["following_count"] == 1


def test_following_twice_is_400_possible_duplicate(auth_client, user, other_user):
    FollowerFactory(owner=user, followed=other_user)
    response = auth_client.post("/followers/", {"followed": other_user.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "possible duplicate"}
    assert Follower.objects.count() == 1


def test_following_yourself_is_400(auth_client, user):
    response = auth_client.post("/followers/", {"followed": user.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {"followed": ["You cannot follow yourself."]}
    assert not Follower.objects.exists()


def test_following_an_unknown_user_is_400(auth_client):
    response = auth_client.post("/followers/", {"followed": 999999}, format="json")
    assert response.status_code == 400
    assert response.json() == {"followed": ['Invalid pk "999999" - object does not exist.']}


def test_database_refuses_self_follow_and_duplicates(user, other_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Follower.objects.create(owner=user, followed=user)
    Follower.objects.create(owner=user, followed=other_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follower.objects.create(owner=user, followed=other_user)


def test_anonymous_cannot_follow(api_client, other_user):
    assert api_client.post("/followers/", {"followed": other_user.id}, format="json").status_code == 401


def test_only_the_owner_can_unfollow(auth_client, other_client, api_client, user):
    follow = FollowerFactory(owner=user)
    assert api_client.delete(f"/followers/{follow.id}/").status_code == 401
    assert other_client.delete(f"/followers/{follow.id}/").status_code == 403
    assert auth_client.delete(f"/followers/{follow.id}/").status_code == 204
    assert not Follower.objects.exists()


def test_lifecycle(auth_client, other_user):
    follow = auth_client.post("/followers/", {"followed": other_user.id}, format="json").json()
    url = f"/followers/{follow['id']}/"
    assert auth_client.get(url).json()["followed"] == other_user.id
    assert auth_client.patch(url, {"followed": other_user.id}, format="json").status_code == 405
    assert auth_client.delete(url).status_code == 204
    assert auth_client.get(url).status_code == 404


def test_followers_list_uses_constant_queries(auth_client, django_assert_max_num_queries):
    target = UserFactory()
    for follower in UserFactory.create_batch(100):
        FollowerFactory(owner=follower, followed=target)
    for size in (10, 100):
        with django_assert_max_num_queries(3):
            assert len(auth_client.get("/followers/", {"page_size": size}).json()["results"]) == size


def test_followers_filter_by_exact_owner_and_followed_user_id(api_client):
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    alice_bob = FollowerFactory(owner=alice, followed=bob)
    FollowerFactory(owner=carol, followed=bob)
    FollowerFactory(owner=alice, followed=carol)

    def ids(params):
        return sorted(row["id"] for row in api_client.get("/followers/", params).json()["results"])

    assert len(ids({"followed": bob.id})) == 2
    assert ids({"followed": bob.id, "owner": alice.id}) == [alice_bob.id]
    assert ids({"owner": bob.id}) == []
