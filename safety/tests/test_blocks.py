"""Blocks and mutes: their endpoints, and the visibility rule (safety/visibility.py) seen from both
sides of a block, from the muter and the muted, and from a third party whose view never changes."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from followers.models import Follower
from followers.tests.factories import FollowerFactory
from likes.tests.factories import LikeFactory
from messaging.tests.factories import MessageFactory
from notifications.models import Notification
from posts.tests.factories import PostFactory
from safety.models import Block, Mute
from safety.services import block_create, mute_create
from testing.clients import bearer_client
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987654321


def ids(response):
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def pair():
    """alice blocks bob; carol is a third party who sees both."""
    alice, bob, carol = UserFactory(username="alice"), UserFactory(username="bob"), UserFactory(username="carol")
    return alice, bob, carol


# ---------------------------------------------------------------- the endpoints


@pytest.mark.parametrize("kind, field", [("blocks", "blocked"), ("mutes", "muted")])
def test_create_list_read_and_delete_own(kind, field):
    owner, other = UserFactory(), UserFactory()
    client = bearer_client(owner)
    created = client.post(f"/{kind}/", {field: other.id}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == {"id", "owner", field, f"{field}_name", "created_at"}
    assert (body["owner"], body[field], body[f"{field}_name"]) == (owner.username, other.id, other.username)
    assert ids(client.get(f"/{kind}/")) == {body["id"]}
    assert client.get(f"/{kind}/{body['id']}/").json() == body
    # Nobody else sees, reads or removes it; anonymous is 401.
    for stranger in (other, UserFactory()):
        assert ids(bearer_client(stranger).get(f"/{kind}/")) == set()
        assert bearer_client(stranger).get(f"/{kind}/{body['id']}/").status_code == 404
        assert bearer_client(stranger).delete(f"/{kind}/{body['id']}/").status_code == 404
    assert APIClient().get(f"/{kind}/").status_code == 401
    assert APIClient().post(f"/{kind}/", {field: other.id}, format="json").status_code == 401
    assert client.delete(f"/{kind}/{body['id']}/").status_code == 204
    assert ids(client.get(f"/{kind}/")) == set()


@pytest.mark.parametrize("kind, field, model", [("blocks", "blocked", Block), ("mutes", "muted", Mute)])
def test_bad_input_is_a_clear_400_and_writes_nothing(kind, field, model):
    owner, other = UserFactory(), UserFactory()
    inactive = UserFactory(is_active=False)
    client = bearer_client(owner)
    bad = [
        {field: owner.id},  # yourself
        {field: MISSING},  # unknown
        {field: inactive.id},  # deactivated: as if unknown
        {field: 2**70},  # huge
        {field: "1\x00"},  # NUL byte
        {field: "abc"},
        {field: 1.5},
        {field: None},
        {},
    ]
    for body in bad:
        response = client.post(f"/{kind}/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    assert model.objects.count() == 0
    assert client.post(f"/{kind}/", {field: other.id}, format="json").status_code == 201
    twice = client.post(f"/{kind}/", {field: other.id}, format="json")
    assert twice.status_code == 400 and twice.json() == {"detail": "possible duplicate"}
    assert model.objects.count() == 1


def test_blocking_someone_who_blocks_you_works_and_tells_nothing(pair):
    alice, bob, _ = pair
    block_create(owner=alice, blocked=bob)
    assert bearer_client(bob).post("/blocks/", {"blocked": alice.id}, format="json").status_code == 201
    assert bearer_client(bob).post("/mutes/", {"muted": alice.id}, format="json").status_code == 201


def test_a_block_removes_the_follows_both_ways_with_their_notifications(pair):
    alice, bob, carol = pair
    FollowerFactory(owner=alice, followed=bob)
    FollowerFactory(owner=bob, followed=alice)
    FollowerFactory(owner=carol, followed=alice)
    assert Notification.objects.filter(type="follow").count() == 3
    assert bearer_client(alice).post("/blocks/", {"blocked": bob.id}, format="json").status_code == 201
    assert list(Follower.objects.values_list("owner__username", "followed__username")) == [("carol", "alice")]
    assert Notification.objects.filter(type="follow").count() == 1
    # Unblocking restores visibility, not the follows.
    block = Block.objects.get()
    assert bearer_client(alice).delete(f"/blocks/{block.id}/").status_code == 204
    assert Follower.objects.count() == 1


# ---------------------------------------------------------------- visibility, both sides


def everything_of(user, other):
    """One of each thing `user` makes that others may see, some of it with `other` present."""
    post = PostFactory(owner=user, title=f"post by {user.username}")
    comment = CommentFactory(owner=user, post=PostFactory())
    like = LikeFactory(owner=user)
    follow = FollowerFactory(owner=user, followed=UserFactory())
    return {"post": post, "comment": comment, "like": like, "follow": follow, "profile": user.profile}


def what_shows(client, of_user, things):
    """What `client` sees of `of_user`'s things: in each list and filter, and at each URL."""
    profile = of_user.profile.id
    seen = {
        "posts": things["post"].id in ids(client.get("/posts/", {"page_size": 100})),
        "posts?owner": things["post"].id in ids(client.get("/posts/", {"owner": profile})),
        "posts?search": things["post"].id in ids(client.get("/posts/", {"search": things["post"].title})),
        "comments": things["comment"].id in ids(client.get("/comments/", {"page_size": 100})),
        "comments?post": things["comment"].id in ids(client.get("/comments/", {"post": things["comment"].post_id})),
        "likes": things["like"].id in ids(client.get("/likes/", {"page_size": 100})),
        "followers": things["follow"].id in ids(client.get("/followers/", {"page_size": 100})),
        "followers?owner": things["follow"].id in ids(client.get("/followers/", {"owner": of_user.id})),
        "profiles": profile in ids(client.get("/profiles/", {"page_size": 100})),
        "most_followed": profile in ids(client.get("/profiles/most_followed/", {"page_size": 100})),
    }
    urls = {
        "post": f"/posts/{things['post'].id}/", "comment": f"/comments/{things['comment'].id}/",
        "like": f"/likes/{things['like'].id}/", "follow": f"/followers/{things['follow'].id}/",
        "profile": f"/profiles/{profile}/",
    }
    seen.update({name: client.get(url).status_code == 200 for name, url in urls.items()})
    return seen


@pytest.mark.parametrize("blocker_looks", [True, False], ids=["the blocker looks", "the blocked looks"])
def test_each_side_of_a_block_sees_nothing_of_the_other_and_a_third_party_sees_all(pair, blocker_looks):
    alice, bob, carol = pair
    things = {"alice": everything_of(alice, bob), "bob": everything_of(bob, alice)}
    viewer, other = (alice, bob) if blocker_looks else (bob, alice)
    client = bearer_client(viewer)
    before = what_shows(client, other, things[other.username])
    assert all(before.values()), before  # the positive control: all of it shows before the block
    third_party_before = bearer_client(carol).get(f"/profiles/{other.profile.id}/").json()

    block_create(owner=alice, blocked=bob)

    after = what_shows(client, other, things[other.username])
    assert not any(after.values()), after
    # The users list and the user's own URL too.
    users = {row["id"] for row in client.get("/users/", {"page_size": 100}).json()["results"]}
    assert other.id not in users and client.get(f"/users/{other.id}/").status_code == 404
    assert client.get("/users/", {"username": other.username}).json()["count"] == 0
    # A third party's view, counts included, does not change.
    assert all(what_shows(bearer_client(carol), other, things[other.username]).values())
    assert bearer_client(carol).get(f"/profiles/{other.profile.id}/").json() == third_party_before
    # The viewer still sees their own things.
    assert all(what_shows(client, viewer, things[viewer.username]).values())


def test_unblocking_restores_visibility(pair):
    alice, bob, _ = pair
    things = everything_of(bob, alice)
    block = block_create(owner=alice, blocked=bob)
    assert not any(what_shows(bearer_client(alice), bob, things).values())
    block.delete()
    assert all(what_shows(bearer_client(alice), bob, things).values())


def test_the_comments_and_likes_of_a_blocked_user_leave_third_parties_posts_for_the_blocker(pair):
    alice, bob, carol = pair
    carols_post = PostFactory(owner=carol)
    comment = CommentFactory(owner=bob, post=carols_post)
    like = LikeFactory(owner=bob, post=carols_post)
    block_create(owner=bob, blocked=alice)
    alices = bearer_client(alice)
    assert ids(alices.get("/comments/", {"post": carols_post.id})) == set()
    assert like.id not in ids(alices.get("/likes/"))
    assert ids(bearer_client(carol).get("/comments/", {"post": carols_post.id})) == {comment.id}
    # Counts stay what everyone sees.
    assert alices.get(f"/posts/{carols_post.id}/").json()["comments_count"] == 1


# ---------------------------------------------------------------- refusals


def test_following_across_a_block_is_403_both_ways(pair):
    alice, bob, _ = pair
    block_create(owner=alice, blocked=bob)
    for follower, followed in ((alice, bob), (bob, alice)):
        response = bearer_client(follower).post("/followers/", {"followed": followed.id}, format="json")
        assert response.status_code == 403 and response.json()["detail"], response.content
    assert Follower.objects.count() == 0


def test_messaging_across_a_block_is_403_both_ways_and_the_history_stays(pair):
    alice, bob, _ = pair
    first = MessageFactory(sender=alice, recipient=bob, content="before the block")
    block_create(owner=alice, blocked=bob)
    for sender, recipient in ((alice, bob), (bob, alice)):
        client = bearer_client(sender)
        for path in (f"/messages/{recipient.id}/send/", f"/messages/{recipient.id}/start/"):
            response = client.post(path, {"content": "hello?"}, format="json")
            assert response.status_code == 403 and response.json()["detail"], response.content
        # The conversation stays listed, its history readable.
        assert [row["id"] for row in client.get("/messages/").json()] == [recipient.id]
        assert [row["id"] for row in client.get(f"/messages/{recipient.id}/").json()["results"]] == [first.id]


def test_liking_or_commenting_on_a_post_you_cannot_see_is_400_as_for_a_missing_post(pair):
    alice, bob, _ = pair
    post = PostFactory(owner=bob)
    block_create(owner=bob, blocked=alice)
    client = bearer_client(alice)
    for path, body in (("/likes/", {}), ("/comments/", {"content": "hi"})):
        hidden = client.post(path, {**body, "post": post.id}, format="json")
        missing = client.post(path, {**body, "post": MISSING}, format="json")
        assert hidden.status_code == missing.status_code == 400
        assert hidden.json() == {"post": [f'Invalid pk "{post.id}" - object does not exist.']}
        assert missing.json() == {"post": [f'Invalid pk "{MISSING}" - object does not exist.']}


def test_no_notification_passes_between_a_blocked_pair(pair):
    alice, bob, carol = pair
    alices_post = PostFactory(owner=alice)
    LikeFactory(owner=bob, post=alices_post)  # before the block: it stops showing
    block_create(owner=alice, blocked=bob)
    assert bearer_client(alice).get("/notifications/").json()["count"] == 0
    assert bearer_client(alice).get("/notifications/unread/").json() == {"count": 0}
    # After the block nothing is even made; a third party's still is (the positive control).
    bob_post = PostFactory(owner=bob)
    LikeFactory(owner=alice, post=bob_post)
    LikeFactory(owner=carol, post=bob_post)
    assert list(Notification.objects.filter(recipient=bob).values_list("actor__username", flat=True)) == ["carol"]


# ---------------------------------------------------------------- mutes


def test_a_mute_hides_posts_and_comments_from_lists_and_feed_not_from_their_urls():
    muter, muted, other = UserFactory(), UserFactory(), UserFactory()
    post, others_post = PostFactory(owner=muted), PostFactory(owner=other)
    comment = CommentFactory(owner=muted, post=others_post)
    FollowerFactory(owner=muter, followed=muted)
    FollowerFactory(owner=muter, followed=other)
    client = bearer_client(muter)
    feed = {"followed": muter.profile.id}
    assert post.id in ids(client.get("/posts/")) and post.id in ids(client.get("/posts/", feed))
    mute_create(owner=muter, muted=muted)
    assert ids(client.get("/posts/")) == {others_post.id}
    assert ids(client.get("/posts/", feed)) == {others_post.id}
    assert ids(client.get("/comments/", {"post": others_post.id})) == set()
    assert client.get(f"/posts/{post.id}/").status_code == 200
    assert client.get(f"/comments/{comment.id}/").status_code == 200
    assert client.get(f"/profiles/{muted.profile.id}/").status_code == 200
    # The muted user notices nothing.
    assert ids(bearer_client(muted).get("/posts/")) == {post.id, others_post.id}


def test_a_mute_silences_the_muted_users_notifications_to_the_muter():
    muter, muted, other = UserFactory(), UserFactory(), UserFactory()
    post = PostFactory(owner=muter)
    LikeFactory(owner=muted, post=post)
    mute_create(owner=muter, muted=muted)
    CommentFactory(owner=muted, post=post)
    LikeFactory(owner=other, post=post)
    shown = bearer_client(muter).get("/notifications/").json()["results"]
    assert [row["actor"]["id"] for row in shown] == [other.id]
    # The muter's own actions still reach the muted user.
    LikeFactory(owner=muter, post=PostFactory(owner=muted))
    assert bearer_client(muted).get("/notifications/").json()["count"] == 1


# ---------------------------------------------------------------- query counts


def test_lists_stay_constant_in_queries_with_blocks_mutes_and_hidden_content(django_assert_max_num_queries):
    """A viewer who blocks and mutes several users, is blocked by others, and sees hidden posts
    around: every list costs what it costs for anyone, for 10 rows or 50 (the rule is a subquery)."""
    viewer = UserFactory()
    authors = UserFactory.create_batch(12)
    for author in authors[:3]:
        block_create(owner=viewer, blocked=author)
    for author in authors[3:5]:
        block_create(owner=author, blocked=viewer)
    for author in authors[5:8]:
        mute_create(owner=viewer, muted=author)
    for author in authors:
        FollowerFactory(owner=author, followed=UserFactory())
    for index in range(120):
        post = PostFactory(owner=authors[8 + index % 4], hidden_at=None)
        CommentFactory(post=post)
        LikeFactory(post=post)
    hidden = PostFactory(owner=authors[8])
    hidden.hidden_at = hidden.created_at
    hidden.save()
    client = bearer_client(viewer)
    lists = [("/posts/", 4), ("/comments/", 3), ("/likes/", 3), ("/followers/", 3), ("/profiles/", 4),
             ("/profiles/most_followed/", 4), ("/users/", 3), ("/notifications/", 3)]
    for path, most in lists:
        for size in (10, 50):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, {"page_size": size})
            assert response.status_code == 200
            assert len(queries.captured_queries) <= most, (path, size, [q["sql"] for q in queries.captured_queries])
    assert hidden.id not in ids(client.get("/posts/", {"page_size": 100}))
    with django_assert_max_num_queries(4):
        assert len(client.get("/posts/", {"page_size": 50}).json()["results"]) == 50


@pytest.mark.parametrize("path", ["/posts/", "/profiles/"])
def test_a_whole_lists_count_is_what_the_viewer_sees(path):
    """The whole posts and profiles lists read their count from the kept row count less what the
    viewer does not see (PostgreSQL; drf_api.reads.ReadList.count_query): hidden posts, posts by
    users blocked either way, muted or deactivated, counted once each even when several reasons
    hold. The count agrees with the rows, page after page."""
    viewer = UserFactory()
    blocked, blocking, muted, inactive, plain = UserFactory.create_batch(5)
    block_create(owner=viewer, blocked=blocked)
    block_create(owner=blocking, blocked=viewer)
    mute_create(owner=viewer, muted=muted)
    for author in (blocked, blocking, muted, inactive, plain, viewer):
        for hidden in (False, True, False):
            post = PostFactory(owner=author)
            if hidden:
                post.hidden_at = post.created_at
                post.save()
    inactive.is_active = False
    inactive.save()
    for client in (bearer_client(viewer), APIClient()):
        answer = client.get(path, {"page_size": 3}).json()
        seen = []
        page = 1
        while True:
            body = client.get(path, {"page_size": 3, "page": page}).json()
            seen += [row["id"] for row in body["results"]]
            if not body["next"]:
                break
            page += 1
        assert answer["count"] == len(seen) == len(set(seen))
    if path == "/posts/":
        # Each author's two posts not hidden: the viewer's and plain's for the viewer; everyone's
        # but the deactivated user's for anonymous.
        assert bearer_client(viewer).get(path).json()["count"] == 2 * 2
        assert APIClient().get(path).json()["count"] == 2 * 5
