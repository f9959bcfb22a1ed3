import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.tests.factories import CommentFactory
from followers.tests.factories import FollowerFactory
from likes.tests.factories import LikeFactory
from posts.models import Post
from posts.tests.factories import PostFactory
from testing.images import image_bytes, image_upload
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POST_KEYS = {
    "id", "owner", "is_owner", "profile_id", "profile_image", "created_at", "updated_at", "title",
    "content", "image", "image_width", "image_height", "image_filter", "like_id", "likes_count", "comments_count",
}
IMAGE_FILTERS = [
    "_1977", "brannan", "earlybird", "hudson", "inkwell", "lofi", "kelvin", "normal", "nashville",
    "rise", "toaster", "valencia", "walden", "xpro2",
]


def titles(response):
    return [row["title"] for row in response.json()["results"]]


def test_list_is_public_newest_first_with_every_field(api_client):
    first, second = PostFactory(), PostFactory()
    response = api_client.get("/posts/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [second.id, first.id]
    assert set(results[0]) == POST_KEYS
    row = results[0]
    assert row["owner"] == second.owner.username
    assert row["profile_id"] == second.owner.profile.id
    assert "/static/images/default_profile." in row["profile_image"]
    assert "/static/images/default_post." in row["image"]
    assert (row["like_id"], row["likes_count"], row["comments_count"], row["is_owner"]) == (None, 0, 0, False)
    assert row["image_filter"] == "normal"
    assert row["created_at"] == second.created_at.strftime("%d %b %Y")


def test_create_with_json_and_no_image(auth_client, user):
    response = auth_client.post("/posts/", {"title": "Hello", "content": "World"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner"], body["is_owner"], body["title"], body["likes_count"]) == (user.username, True, "Hello", 0)
    assert Post.objects.get(pk=body["id"]).owner == user


@pytest.mark.parametrize("image_filter", IMAGE_FILTERS)
def test_create_multipart_with_image_and_each_filter(auth_client, image_filter):
    response = auth_client.post(
        "/posts/",
        {"title": "Pic", "image": image_upload("pic.webp", "WEBP"), "image_filter": image_filter},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["image_filter"] == image_filter
    assert response.json()["image"].startswith("http://testserver/media/images/posts/")


def test_create_is_401_for_anonymous(api_client):
    response = api_client.post("/posts/", {"title": "Nope"}, format="json")
    assert response.status_code == 401
    assert not Post.objects.exists()


NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."


@pytest.mark.parametrize(
    "payload, errors",
    [
        ({}, {"title": ["This field is required."]}),
        ({"title": ""}, {"title": ["This field may not be blank."]}),
        ({"title": "x" * 256}, {"title": ["Ensure this field has no more than 255 characters."]}),
        ({"title": "ok", "image_filter": "sepia"}, {"image_filter": ['"sepia" is not a valid choice.']}),
        ({"title": "ok", "image": "not-a-file"}, {"image": [NOT_A_FILE]}),
    ],
)
def test_create_rejects_bad_input_with_exact_errors(auth_client, payload, errors):
    response = auth_client.post("/posts/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Post.objects.exists()


def test_create_rejects_a_bad_image_and_writes_nothing(auth_client):
    response = auth_client.post(
        "/posts/", {"title": "Bad", "image": image_upload("big.png", "PNG", size=(4097, 4))}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"image": ["The image is too large: at most 4096×4096 pixels are allowed."]}
    assert not Post.objects.exists()


def test_create_rejects_malformed_json(auth_client):
    response = auth_client.post("/posts/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_owner_can_update_and_delete(auth_client, user):
    post = PostFactory(owner=user)
    updated = auth_client.patch(f"/posts/{post.id}/", {"title": "New", "image_filter": "lofi"}, format="json")
    assert updated.status_code == 200
    assert (updated.json()["title"], updated.json()["image_filter"]) == ("New", "lofi")
    assert auth_client.delete(f"/posts/{post.id}/").status_code == 204
    assert not Post.objects.filter(pk=post.id).exists()


def test_other_user_gets_403_on_update_and_delete(other_client, user):
    post = PostFactory(owner=user, title="Mine")
    assert other_client.patch(f"/posts/{post.id}/", {"title": "Theirs"}, format="json").status_code == 403
    assert other_client.delete(f"/posts/{post.id}/").status_code == 403
    post.refresh_from_db()
    assert post.title == "Mine"


def test_anonymous_gets_401_on_update_and_delete(api_client):
    post = PostFactory()
    assert api_client.put(f"/posts/{post.id}/", {"title": "x"}, format="json").status_code == 401
    assert api_client.delete(f"/posts/{post.id}/").status_code == 401
    assert Post.objects.filter(pk=post.id).exists()


def test_lifecycle_create_read_update_delete_then_404(auth_client):
    created = auth_client.post("/posts/", {"title": "Life"}, format="json").json()
    url = f"/posts/{created['id']}/"
    assert auth_client.get(url).json()["title"] == "Life"
    assert auth_client.put(url, {"title": "Cycle", "content": "c"}, format="json").json()["title"] == "Cycle"
    assert auth_client.delete(url).status_code == 204
    response = auth_client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "No Post matches the given query."}


def test_image_can_be_replaced_and_removed(auth_client, user):
    post = PostFactory(owner=user)
    post.image.save("a.png", ContentFile(image_bytes()))
    replaced = auth_client.patch(f"/posts/{post.id}/", {"image": image_upload("b.gif", "GIF")}, format="multipart")
    assert replaced.json()["image"].endswith(".gif")
    removed = auth_client.patch(f"/posts/{post.id}/", {"image": None}, format="json")
    assert "/static/images/default_post." in removed.json()["image"]


def test_counts_are_right_with_likes_and_comments_on_one_post(auth_client, user):
    post = PostFactory()
    likes = [LikeFactory(post=post) for _ in range(3)]
    my_like = LikeFactory(post=post, owner=user)
    CommentFactory.create_batch(5, post=post)
    PostFactory()  # another post's rows must not leak in
    body = auth_client.get(f"/posts/{post.id}/").json()
    assert (body["likes_count"], body["comments_count"]) == (len(likes) + 1, 5)
    assert body["like_id"] == my_like.id
    listed = next(row for row in auth_client.get("/posts/").json()["results"] if row["id"] == post.id)
    assert (listed["likes_count"], listed["comments_count"], listed["like_id"]) == (4, 5, my_like.id)


def test_like_id_is_null_for_anonymous_and_for_users_who_did_not_like(api_client, other_client, user):
    post = PostFactory()
    LikeFactory(post=post, owner=user)
    assert api_client.get(f"/posts/{post.id}/").json()["like_id"] is None
    assert other_client.get(f"/posts/{post.id}/").json()["like_id"] is None


@pytest.mark.parametrize("param", ["followed", "owner__followed__owner__profile"])
def test_feed_shows_posts_of_followed_users_newest_first(auth_client, user, param):
    alice, bob, carol = UserFactory.create_batch(3)
    FollowerFactory(owner=user, followed=alice)
    FollowerFactory(owner=user, followed=bob)
    FollowerFactory(owner=carol, followed=alice)  # someone else following the same user
    PostFactory(owner=alice, title="a1")
    PostFactory(owner=carol, title="c1")
    PostFactory(owner=bob, title="b1")
    PostFactory(owner=alice, title="a2")
    PostFactory(owner=user, title="mine")
    response = auth_client.get("/posts/", {param: user.profile.id})
    assert titles(response) == ["a2", "b1", "a1"]
    assert response.json()["count"] == 3


def test_feed_is_empty_when_following_nobody(auth_client, user):
    PostFactory.create_batch(3)
    response = auth_client.get("/posts/", {"followed": user.profile.id})
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("param", ["liked", "likes__owner__profile"])
def test_liked_filter(api_client, user, param):
    liked, _, also_liked = PostFactory(title="yes"), PostFactory(title="no"), PostFactory(title="also")
    LikeFactory(owner=user, post=liked)
    LikeFactory(owner=user, post=also_liked)
    LikeFactory(post=also_liked)
    assert sorted(titles(api_client.get("/posts/", {param: user.profile.id}))) == ["also", "yes"]


@pytest.mark.parametrize("param", ["owner", "owner__profile"])
def test_owner_filter(api_client, user, param):
    PostFactory(owner=user, title="mine")
    PostFactory(title="other")
    assert titles(api_client.get("/posts/", {param: user.profile.id})) == ["mine"]


@pytest.mark.parametrize("param", ["owner", "followed", "liked"])
@pytest.mark.parametrize("value", ["me", "1.5", "1e400"])
def test_filter_with_anything_but_a_whole_number_is_400(api_client, param, value):
    response = api_client.get("/posts/", {param: value})
    assert response.status_code == 400
    assert response.json() == {param: ["Enter a whole number."]}


def test_search_over_title_and_owner_username_case_insensitive(api_client):
    PostFactory(title="Sunset at the BEACH")
    PostFactory(owner=UserFactory(username="beachbum"), title="Lunch")
    PostFactory(title="Mountains")
    assert sorted(titles(api_client.get("/posts/", {"search": "beach"}))) == ["Lunch", "Sunset at the BEACH"]


def test_orderings_by_counts_and_dates(api_client):
    quiet, popular, chatty = PostFactory(title="quiet"), PostFactory(title="popular"), PostFactory(title="chatty")
    LikeFactory.create_batch(3, post=popular)
    LikeFactory(post=chatty)
    CommentFactory.create_batch(4, post=chatty)
    assert titles(api_client.get("/posts/", {"ordering": "-likes_count"})) == ["popular", "chatty", "quiet"]
    assert titles(api_client.get("/posts/", {"ordering": "likes_count"})) == ["quiet", "chatty", "popular"]
    assert titles(api_client.get("/posts/", {"ordering": "-comments_count"}))[0] == "chatty"
    assert titles(api_client.get("/posts/", {"ordering": "created_at"})) == ["quiet", "popular", "chatty"]
    assert titles(api_client.get("/posts/", {"ordering": "-created_at"})) == ["chatty", "popular", "quiet"]
    LikeFactory(post=quiet)  # the most recent like of all
    by_latest_like = titles(api_client.get("/posts/", {"ordering": "-likes__created_at"}))
    assert by_latest_like == ["quiet", "chatty", "popular"]
    oldest_like_first = titles(api_client.get("/posts/", {"ordering": "likes__created_at"}))
    assert oldest_like_first == ["popular", "chatty", "quiet"]


def test_liked_posts_ordered_by_when_that_profile_liked_them(api_client, user):
    first, second = PostFactory(title="first"), PostFactory(title="second")
    LikeFactory(owner=user, post=second)
    LikeFactory(owner=user, post=first)
    LikeFactory(post=second)  # a later like by someone else does not move it
    response = api_client.get("/posts/", {"liked": user.profile.id, "ordering": "-likes__created_at"})
    assert titles(response) == ["first", "second"]


@pytest.mark.parametrize(
    "params, computed",
    [
        ({}, False), ({"ordering": "-likes_count"}, False), ({"ordering": "-likes__created_at"}, True),
        ("liked", False), ("liked, by when", True),
    ],
)
def test_the_like_time_is_computed_only_when_an_ordering_asks(api_client, user, params, computed):
    LikeFactory(owner=user)
    if isinstance(params, str):
        params = {"liked": user.profile.id, **({"ordering": "-likes__created_at"} if "when" in params else {})}
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/posts/", params).status_code == 200
    # The query that finds the page (the one that sorts), not the one that reads its rows.
    [page_query] = [query["sql"] for query in queries.captured_queries if "ORDER BY" in query["sql"]]
    assert bool(re.search(r'SELECT U\d+\."created_at"', page_query)) is computed, page_query


def test_posts_list_uses_constant_queries(auth_client, user, django_assert_max_num_queries):
    authors = UserFactory.create_batch(10)
    for author in authors:
        FollowerFactory(owner=user, followed=author)
    for index in range(100):
        post = PostFactory(owner=authors[index % 10])
        LikeFactory(post=post, owner=user) if index % 2 else LikeFactory(post=post)
        CommentFactory(post=post)
    for params in ({}, {"followed": user.profile.id}, {"liked": user.profile.id, "ordering": "-likes__created_at"}):
        for size in (10, 100):
            expected = min(size, 50) if "liked" in params else size
            # The caller's user, the count, the page's ids, its rows: 4 queries for 10 rows or 100.
            with django_assert_max_num_queries(4):
                response = auth_client.get("/posts/", {**params, "page_size": size})
            assert len(response.json()["results"]) == expected


def test_posts_list_for_anonymous_uses_constant_queries(api_client, django_assert_max_num_queries):
    for post in PostFactory.create_batch(100):
        LikeFactory(post=post)
    for size in (10, 100):
        with django_assert_max_num_queries(3):
            assert len(api_client.get("/posts/", {"page_size": size}).json()["results"]) == size


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_list_shows_each_post_as_its_detail_does(api_client, signed_in, user, other_user):
    """Lists and the detail read through the same read path (posts.reads): the two agree on every
    field, with an image or none, liked or not, owned or not."""
    PostFactory(owner=user, image=image_upload("photo.png"), image_filter="lofi")
    PostFactory(owner=other_user, content="")
    LikeFactory(owner=user, post=PostFactory(owner=other_user))
    CommentFactory(post=PostFactory(owner=user))
    if signed_in:
        api_client.force_authenticate(user)
    listed = api_client.get("/posts/").json()["results"]
    assert len(listed) == 4
    assert listed == [api_client.get(f"/posts/{post['id']}/").json() for post in listed]


