"""GET /dj-rest-auth/user/export/: everything the caller owns or received, in the representations
of the REST endpoints, and nothing else of anyone else's."""
import json
import warnings

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import export
from comments.services import comment_create
from followers.services import follow_create
from likes.services import like_create
from messaging.services import message_send
from moderation.services import report_create
from posts.tests.factories import PostFactory
from profiles.models import Profile
from safety.services import block_create, mute_create
from testing.clients import bearer_client
from testing.images import image_upload
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def download(client):
    response = client.get("/dj-rest-auth/user/export/")
    assert response.status_code == 200, response.content
    assert response.streaming
    body = b"".join(response.streaming_content)
    return response, json.loads(body)


@pytest.fixture
def people():
    me, friend, stranger = (UserFactory(username=name) for name in ("me", "friend", "stranger"))
    profile = Profile.objects.get(owner=me)
    profile.image = image_upload("me.png", size=(30, 20))
    profile.save()
    mine = PostFactory(owner=me, image=image_upload("mine.png", size=(40, 24)))
    hidden = PostFactory(owner=me, title="hidden by a moderator")
    hidden.hidden_at = hidden.created_at
    hidden.save()
    theirs = PostFactory(owner=friend, title="the friend's post")
    PostFactory(owner=stranger, title="the stranger's post")
    like_create(owner=me, post=theirs)
    like_create(owner=friend, post=mine)
    comment_create(owner=me, post=theirs, content="my comment")
    comment_create(owner=friend, post=mine, content="the friend's comment on my post")
    comment_create(owner=stranger, post=theirs, content="the stranger's comment")
    follow_create(owner=me, followed=friend)
    follow_create(owner=friend, followed=me)
    follow_create(owner=stranger, followed=friend)
    message_send(sender=me, recipient=friend, content="sent by me")
    message_send(sender=friend, recipient=me, content="received by me", image=image_upload("got.png", size=(10, 50)))
    message_send(sender=friend, recipient=stranger, content="not mine at all")
    report_create(reporter=me, target_type="comment",
                  target_id=theirs.comments.get(owner=stranger).id, reason="spam")
    block_create(owner=me, blocked=stranger)
    mute_create(owner=me, muted=friend)
    return {"me": me, "friend": friend, "stranger": stranger, "mine": mine, "hidden": hidden}


def test_the_export_holds_every_kind_of_row_the_caller_owns_or_received(people):
    me = people["me"]
    client = bearer_client(me)
    response, data = download(client)
    assert response["Content-Disposition"] == 'attachment; filename="me-export.json"'
    assert response["Content-Type"] == "application/json"
    assert list(data) == list(export.SECTIONS)

    assert data["user"] == client.get("/dj-rest-auth/user/").json()
    assert data["profile"] == client.get(f"/profiles/{data['profile']['id']}/").json()
    assert data["profile"]["image"].startswith("http://testserver/")
    # The same representations as the endpoints (the caller's own hidden post included).
    assert {post["title"] for post in data["posts"]} == {people["mine"].title, "hidden by a moderator"}
    assert data["posts"][0] == client.get(f"/posts/{people['mine'].id}/").json()
    assert data["posts"][0]["image"].startswith("http://testserver/")
    assert [comment["content"] for comment in data["comments"]] == ["my comment"]
    listed = client.get(f"/comments/?post={data['comments'][0]['post']}").json()["results"]
    assert data["comments"][0] in listed
    assert [like["owner"] for like in data["likes"]] == ["me"]
    assert data["likes"][0] == client.get(f"/likes/{data['likes'][0]['id']}/").json()
    assert [(row["owner"], row["followed_name"]) for row in data["following"]] == [("me", "friend")]
    assert [(row["owner"], row["followed_name"]) for row in data["followers"]] == [("friend", "me")]
    assert [message["content"] for message in data["messages"]] == ["sent by me", "received by me"]
    received = data["messages"][1]
    assert received in client.get(f"/messages/{people['friend'].id}/").json()["results"]
    assert received["image"].startswith("http://testserver/")
    assert {note["type"] for note in data["notifications"]} >= {"like", "comment", "follow"}
    assert all(note["actor"]["username"] == "friend" for note in data["notifications"])
    assert [row["blocked_name"] for row in data["blocks"]] == ["stranger"]
    assert [row["muted_name"] for row in data["mutes"]] == ["friend"]
    assert [(row["target_type"], row["status"]) for row in data["reports"]] == [("comment", "open")]


def test_the_export_holds_nothing_of_anyone_else_beyond_what_the_caller_received(people):
    _, data = download(bearer_client(people["me"]))
    text = json.dumps(data)
    for theirs in ("the friend's post", "the stranger's post", "the stranger's comment", "not mine at all"):
        assert theirs not in text
    # The friend's comment on my post reached me as a notification, and only there.
    assert "the friend's comment on my post" not in json.dumps({**data, "notifications": []})
    assert "the friend's comment on my post" in json.dumps(data["notifications"])
    # A positive control: the friend's own export has what was left out of mine.
    _, friends = download(bearer_client(people["friend"]))
    assert "the friend's post" in json.dumps(friends) and "not mine at all" in json.dumps(friends)


def test_the_export_needs_a_signed_in_caller():
    assert APIClient().get("/dj-rest-auth/user/export/").status_code == 401


def test_the_export_reads_in_chunks_whatever_the_account_size(people, monkeypatch):
    """Queries grow with the number of chunks, not of rows: 2 rows a chunk, 3 posts and then 9."""
    me = people["me"]
    monkeypatch.setattr(export, "CHUNK", 2)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            download(bearer_client(me))
        return len(captured)

    small = queries()
    for _ in range(6):
        PostFactory(owner=me)
    large = queries()
    # 8 posts instead of 2: three more chunks of ids and of rows, one more empty id chunk at most.
    assert large - small <= 7, (small, large)


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_export_is_streamed_not_read_whole_first(people):
    """Django reads a synchronous iterator to its end before an ASGI response sends anything, and
    warns; the export hands it an asynchronous one instead (a positive control: the warning is
    what Django says when it buffers)."""
    client = AsyncClient()
    token = RefreshToken.for_user(people["me"]).access_token

    async def fetch():
        response = await client.get("/dj-rest-auth/user/export/", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.content
        content = response.streaming_content
        if hasattr(content, "__aiter__"):
            return response, b"".join([chunk async for chunk in content])
        return response, b"".join(content)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response, body = async_to_sync(fetch)()
    assert response.status_code == 200
    assert json.loads(body)["user"]["username"] == "me"
    assert not [w for w in caught if "StreamingHttpResponse" in str(w.message)], [str(w.message) for w in caught]


def test_messages_of_a_chat_the_caller_deleted_are_still_exported(people):
    """They still exist (the partner sees them): the export has them, with no conversation preview,
    since the caller sees no message of that conversation any more."""
    client = bearer_client(people["me"])
    assert client.delete(f"/chats/{people['friend'].id}/delete/").status_code == 204
    _, data = download(client)
    assert [(message["content"], message["last_message"], message["last_message_time"])
            for message in data["messages"]] == [("sent by me", "", ""), ("received by me", "", "")]


def test_exports_are_throttled_per_user(people, settings):
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "account_export": "2/hour"}
    me, friend = bearer_client(people["me"]), bearer_client(people["friend"])
    assert [me.get("/dj-rest-auth/user/export/").status_code for _ in range(3)] == [200, 200, 429]
    assert friend.get("/dj-rest-auth/user/export/").status_code == 200  # another user's count
