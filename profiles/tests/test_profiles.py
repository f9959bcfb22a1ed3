import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followers.models import Follower
from posts.models import Post
from testing.images import image_bytes, image_upload
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROFILE_KEYS = {
    "id", "owner", "user_id", "created_at", "updated_at", "name", "content", "image", "image_width", "image_height",
    "is_owner", "following_id", "posts_count", "followers_count", "following_count",
}


def test_profile_list_is_public_newest_first(api_client):
    users = UserFactory.create_batch(3)
    response = api_client.get("/profiles/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["owner"] for row in results] == [u.username for u in reversed(users)]
    assert set(results[0]) == PROFILE_KEYS
    assert results[0]["is_owner"] is False
    assert results[0]["following_id"] is None


def test_profile_detail_shape_and_formats(api_client, user):
    body = api_client.get(f"/profiles/{user.profile.id}/").json()
    assert body["owner"] == user.username
    assert body["user_id"] == user.id
    assert body["image"].startswith("http://testserver/static/images/default_profile.")
    assert body["image"].endswith(".png")
    created = user.profile.created_at
    assert body["created_at"] == created.strftime("%d %b %Y")
    assert (body["posts_count"], body["followers_count"], body["following_count"]) == (0, 0, 0)


def test_unknown_profile_is_404(api_client):
    response = api_client.get("/profiles/999999/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_owner_can_update_profile(auth_client, user):
    response = auth_client.put(
        f"/profiles/{user.profile.id}/", {"name": "Ada", "content": "Hello"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Ada"
    assert response.json()["is_owner"] is True
    user.profile.refresh_from_db()
    assert (user.profile.name, user.profile.content) == ("Ada", "Hello")


def test_other_user_cannot_update_profile(other_client, user):
    response = other_client.patch(f"/profiles/{user.profile.id}/", {"name": "Hijack"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    user.profile.refresh_from_db()
    assert user.profile.name == ""


def test_anonymous_cannot_update_profile(api_client, user):
    response = api_client.patch(f"/profiles/{user.profile.id}/", {"name": "Anon"}, format="json")
    assert response.status_code == 401


def test_owner_and_counts_are_read_only(auth_client, user, other_user):
    response = auth_client.patch(
        f"/profiles/{user.profile.id}/",
        {"owner": other_user.username, "posts_count": 99, "user_id": other_user.id},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["owner"] == user.username
    assert response.json()["posts_count"] == 0


def test_name_longer_than_255_is_400(auth_client, user):
    response = auth_client.patch(f"/profiles/{user.profile.id}/", {"name": "x" * 256}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Ensure this field has no more than 255 characters."]}


def test_counts_and_following_id_reflect_follows_and_posts(auth_client, user, other_user):
    third = UserFactory()
    follow = Follower.objects.create(owner=user, followed=other_user)
    Follower.objects.create(owner=third, followed=other_user)
    Follower.objects.create(owner=other_user, followed=user)
    Post.objects.create(owner=other_user, title="one")
    Post.objects.create(owner=other_user, title="two")
    body = auth_client.get(f"/profiles/{other_user.profile.id}/").json()
    assert (body["posts_count"], body["followers_count"], body["following_count"]) == (2, 2, 1)
    assert body["following_id"] == follow.id
    mine = auth_client.get(f"/profiles/{user.profile.id}/").json()
    assert (mine["posts_count"], mine["followers_count"], mine["following_count"]) == (0, 1, 1)
    assert mine["following_id"] is None


def test_followers_and_following_filters(api_client, user, other_user):
    third = UserFactory()
    Follower.objects.create(owner=user, followed=other_user)
    Follower.objects.create(owner=third, followed=other_user)
    Follower.objects.create(owner=user, followed=third)
    followers_of_other = api_client.get(
        "/profiles/", {"owner__following__followed__profile": other_user.profile.id}
    ).json()["results"]
    assert {row["owner"] for row in followers_of_other} == {user.username, third.username}
    followed_by_user = api_client.get(
        "/profiles/", {"owner__followed__owner__profile": user.profile.id}
    ).json()["results"]
    assert {row["owner"] for row in followed_by_user} == {other_user.username, third.username}


@pytest.mark.parametrize("value", ["abc", "1.5", "1e400"])
def test_filter_with_anything_but_a_whole_number_is_400(api_client, value):
    response = api_client.get("/profiles/", {"owner__followed__owner__profile": value})
    assert response.status_code == 400
    assert response.json() == {"owner__followed__owner__profile": ["Enter a whole number."]}


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("-followers_count", ["b", "c", "a"]),
        ("followers_count", ["a", "c", "b"]),
        ("-posts_count", ["c", "b", "a"]),
        ("-following_count", ["a", "c", "b"]),
        ("-owner__followed__created_at", ["c", "b", "a"]),
        ("-owner__following__created_at", ["c", "a", "b"]),
    ],
)
def test_orderings(api_client, ordering, expected):
    a, b, c = (UserFactory(username=name) for name in "abc")
    Follower.objects.create(owner=a, followed=b)
    Follower.objects.create(owner=c, followed=b)
    Follower.objects.create(owner=a, followed=c)
    Post.objects.create(owner=c, title="1")
    Post.objects.create(owner=c, title="2")
    Post.objects.create(owner=b, title="3")
    Follower.objects.create(owner=c, followed=a) if ordering.endswith("following__created_at") else None
    response = api_client.get("/profiles/", {"ordering": ordering})
    assert response.status_code == 200
    assert [row["owner"] for row in response.json()["results"]] == expected


def test_unknown_ordering_is_ignored(api_client):
    """Ordering by a field that is not offered (here a password hash) keeps the default order."""
    users = UserFactory.create_batch(3)
    for user, password in zip(users, ["a", "b", "c"], strict=True):
        get_user_model().objects.filter(pk=user.pk).update(password=password)
    for ordering in ("owner__password", "-owner__password"):
        response = api_client.get("/profiles/", {"ordering": ordering})
        assert response.status_code == 200
        assert [row["user_id"] for row in response.json()["results"]] == [user.id for user in reversed(users)]


def test_search_matches_username_case_insensitively(api_client):
    UserFactory(username="MarieCurie")
    UserFactory(username="someone")
    results = api_client.get("/profiles/", {"search": "curie"}).json()["results"]
    assert [row["owner"] for row in results] == ["MarieCurie"]


def test_most_followed_orders_by_followers_then_newest(api_client):
    a, b, c, d = UserFactory.create_batch(4)
    for follower in (a, c, d):
        Follower.objects.create(owner=follower, followed=b)
    Follower.objects.create(owner=a, followed=c)
    Follower.objects.create(owner=b, followed=d)
    results = api_client.get("/profiles/most_followed/").json()["results"]
    assert [row["owner"] for row in results] == [b.username, d.username, c.username, a.username]
    assert [row["followers_count"] for row in results] == [3, 1, 1, 0]


@pytest.mark.parametrize("path", ["/profiles/", "/profiles/most_followed/"])
def test_profile_lists_use_constant_queries(auth_client, user, django_assert_max_num_queries, path):
    others = UserFactory.create_batch(100)
    for other in others[:50]:
        Follower.objects.create(owner=user, followed=other)
        Follower.objects.create(owner=other, followed=user)
        Post.objects.create(owner=other, title="t")
    for size in (10, 100):
        # The caller's user, then the count, the page's ids and its rows (on PostgreSQL those
        # three are one statement): 4 queries for 10 rows or 100.
        with django_assert_max_num_queries(4):
            response = auth_client.get(path, {"page_size": size})
        assert len(response.json()["results"]) == size


@pytest.mark.parametrize("path", ["/profiles/", "/profiles/most_followed/", "detail"])
def test_profiles_read_only_the_owners_id_and_username(api_client, user, path):
    """Not the owner's password hash, email or flags; no follow times unless ordered by them."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"/profiles/{user.profile.id}/" if path == "detail" else path)
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "u.username" in sql
    for column in ("password", "email", "is_superuser", "last_login"):
        assert f'"users_user"."{column}"' not in sql and f"u.{column}" not in sql
    assert "latest_follow" not in sql and "followers_follower\".\"created_at" not in sql


def test_profile_image_upload_renders_absolute_url_and_is_stored(auth_client, user):
    response = auth_client.patch(
        f"/profiles/{user.profile.id}/", {"image": image_upload("me.jpg", "JPEG")}, format="multipart"
    )
    assert response.status_code == 200, response.content
    url = response.json()["image"]
    assert url.startswith("http://testserver/media/images/profiles/") and url.endswith(".jpg")
    user.profile.refresh_from_db()
    assert user.profile.image.read()[:3] == b"\xff\xd8\xff"
    served = auth_client.get(url.removeprefix("http://testserver"))
    assert served.status_code == 200


def test_profile_image_null_restores_the_default(auth_client, user):
    user.profile.image.save("x.png", ContentFile(image_bytes()))
    response = auth_client.patch(f"/profiles/{user.profile.id}/", {"image": None}, format="json")
    assert response.status_code == 200
    assert "/static/images/default_profile." in response.json()["image"]


def test_image_file_is_renamed_to_its_real_format(auth_client, user):
    png_named_gif = image_upload("trick.gif", "PNG")
    response = auth_client.patch(f"/profiles/{user.profile.id}/", {"image": png_named_gif}, format="multipart")
    assert response.status_code == 200
    assert response.json()["image"].endswith(".png")


def test_profile_is_unchanged_when_the_image_is_rejected(auth_client, user):
    response = auth_client.patch(
        f"/profiles/{user.profile.id}/",
        {"name": "Should not stick", "image": image_upload("big.png", "PNG", size=(5000, 10))},
        format="multipart",
    )
    assert response.status_code == 400
    user.profile.refresh_from_db()
    assert user.profile.name == ""
    assert not user.profile.image

