"""The socket through Channels' communicator: who may connect, and who receives what, when."""
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import delete_account
from drf_api.asgi import application
from messaging.tests.factories import MessageFactory
from posts.tests.factories import PostFactory
from realtime.auth import AllowedHostsValidator, JWTAuthMiddleware
from realtime.consumers import FRAME_TOO_LARGE, SIGNED_OUT, TOKEN_EXPIRED, TOO_MANY_SOCKETS, LiveConsumer
from realtime.models import OpenSocket
from realtime.routing import websocket_urlpatterns
from testing.clients import bearer_client
from users import sessions
from users.models import SessionFamily
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def access_token(user):
    return str(sessions.issue_tokens(user).access_token)


def run(scenario):
    """Run an async scenario from a synchronous test (the database stays on this thread)."""
    return async_to_sync(scenario)()


async def open_socket(token=None, *, via="query", origin=None):
    path, headers, subprotocols = "/ws/", [(b"host", b"testserver")], None
    if token and via == "query":
        path += f"?token={token}"
    elif token and via == "protocol":
        subprotocols = ["bearer", token]
    elif token and via == "cookie":
        headers.append((b"cookie", f"drf-api-auth={token}".encode()))
    if origin:
        headers.append((b"origin", origin.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)
    connected, subprotocol = await socket.connect(timeout=5)
    return socket, connected, subprotocol


async def next_event(socket):
    return await socket.receive_json_from(timeout=3)


# --- who may connect ---------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["query", "protocol", "cookie"])
def test_an_access_token_is_accepted_from_the_query_a_subprotocol_or_the_cookie(user, via):
    token = access_token(user)

    async def scenario():
        socket, connected, subprotocol = await open_socket(token, via=via)
        assert connected
        assert subprotocol == ("bearer" if via == "protocol" else None)
        await socket.disconnect()

    run(scenario)


def refused(token=None, **options):
    async def scenario():
        socket, connected, _ = await open_socket(token, **options)
        if connected:
            await socket.disconnect()
        return connected

    return not run(scenario)


def test_anonymous_bad_expired_and_revoked_tokens_are_refused(user):
    assert refused()
    assert refused("not.a.token")
    refresh_token = sessions.issue_tokens(user)
    assert refused(str(refresh_token)), "a refresh token is not an access token"
    with freeze_time() as clock:
        expired = access_token(user)
        clock.tick(timedelta(hours=1))
        assert refused(expired)
    signed_out = sessions.issue_tokens(user)
    sessions.end_session(str(signed_out))
    assert refused(str(signed_out.access_token)), "its sign-in was revoked (logout)"


def test_a_foreign_origin_is_refused_and_the_clients_origins_are_not(settings, user):
    settings.CLIENT_ORIGINS = ["https://app.example.com"]
    token = access_token(user)
    assert refused(token, origin="https://evil.example")
    assert not refused(token, origin="https://app.example.com")
    assert not refused(token, origin="http://testserver")


def test_the_server_closes_the_socket_when_the_access_token_expires(settings, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=4))  # room for a slow handshake on a busy machine

    async def scenario():
        socket, connected, _ = await open_socket(str(token))
        assert connected
        output = await socket.receive_output(timeout=8)
        assert output == {"type": "websocket.close", "code": TOKEN_EXPIRED}

    run(scenario)


# --- events ------------------------------------------------------------------------------------


def test_a_message_reaches_both_participants_and_nobody_else():
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    tokens = [access_token(user) for user in (alice, bob, carol)]

    as_alice = bearer_client(alice)

    async def scenario():
        sockets = [(await open_socket(token))[0] for token in tokens]
        send = sync_to_async(as_alice.post)
        sent = await send(f"/messages/{bob.id}/send/", {"content": "hi"}, format="json")
        assert sent.status_code == 201
        to_alice, to_bob = await next_event(sockets[0]), await next_event(sockets[1])
        assert to_alice["type"] == to_bob["type"] == "message.created"
        rest = sent.json()
        assert to_alice["data"] == rest
        assert to_bob["data"] == {**rest, "is_sender": False}
        assert await sockets[2].receive_nothing(timeout=0.3)
        to_carol = await send(f"/messages/{carol.id}/send/", {"content": "for carol"}, format="json")
        control = await next_event(sockets[2])
        assert control["data"]["id"] == to_carol.json()["id"], "positive control: carol's own message arrives first"
        for socket in sockets:
            await socket.disconnect()

    run(scenario)


def test_edit_delete_and_read_are_pushed_to_both():
    alice, bob = UserFactory(), UserFactory()
    message = MessageFactory(sender=alice, recipient=bob, content="typo")
    token_a, token_b = access_token(alice), access_token(bob)

    as_alice = bearer_client(alice)
    as_bob = bearer_client(bob)

    async def scenario():
        a, b = (await open_socket(token_a))[0], (await open_socket(token_b))[0]
        edited = await sync_to_async(as_alice.patch)(
            f"/messages/{message.id}/update/", {"content": "fixed"}, format="json"
        )
        assert edited.status_code == 200
        for socket in (a, b):
            event = await next_event(socket)
            assert (event["type"], event["data"]["content"]) == ("message.updated", "fixed")
        read = await sync_to_async(as_bob.post)(f"/messages/{alice.id}/read/")
        assert read.json() == {"updated": 1}
        assert (await next_event(a)) == {
            "type": "conversation.read", "data": {"partner": bob.id, "reader": bob.id, "up_to": message.id}
        }
        assert (await next_event(b))["data"] == {"partner": alice.id, "reader": bob.id, "up_to": message.id}
        deleted = await sync_to_async(as_alice.delete)(f"/messages/{message.id}/delete/")
        assert deleted.status_code == 204
        assert (await next_event(a)) == {"type": "message.deleted", "data": {"id": message.id, "partner": bob.id}}
        assert (await next_event(b)) == {"type": "message.deleted", "data": {"id": message.id, "partner": alice.id}}
        for socket in (a, b):
            await socket.disconnect()

    run(scenario)


def test_notifications_are_pushed_when_made_and_when_undone():
    author, fan = UserFactory(), UserFactory()
    post = PostFactory(owner=author)
    token = access_token(author)

    as_author = bearer_client(author)
    as_fan = bearer_client(fan)

    async def scenario():
        socket = (await open_socket(token))[0]
        liked = await sync_to_async(as_fan.post)("/likes/", {"post": post.id}, format="json")
        created = await next_event(socket)
        assert created["type"] == "notification.created"
        rest = (await sync_to_async(as_author.get)("/notifications/")).json()["results"][0]
        assert created["data"] == rest
        await sync_to_async(as_fan.delete)(f"/likes/{liked.json()['id']}/")
        assert (await next_event(socket)) == {"type": "notification.deleted", "data": {"id": rest["id"]}}
        await socket.disconnect()

    run(scenario)


def test_marking_notifications_read_tells_the_users_other_tabs_and_nobody_else():
    author, fan, bystander = UserFactory(), UserFactory(), UserFactory()
    posts, later_post = PostFactory.create_batch(3, owner=author), PostFactory(owner=author)
    tokens = [access_token(user) for user in (author, bystander)]
    as_author, as_fan = bearer_client(author), bearer_client(fan)

    async def scenario():
        other_tab, theirs = (await open_socket(tokens[0]))[0], (await open_socket(tokens[1]))[0]
        for post in posts:
            await sync_to_async(as_fan.post)("/likes/", {"post": post.id}, format="json")
            await next_event(other_tab)  # notification.created
        ids = sorted(item["id"] for item in (await sync_to_async(as_author.get)("/notifications/")).json()["results"])
        marked = await sync_to_async(as_author.post)("/notifications/read/", {"up_to": ids[1]}, format="json")
        assert marked.json() == {"updated": 2}
        assert await next_event(other_tab) == {"type": "notification.read", "data": {"up_to": ids[1]}}
        everything = await sync_to_async(as_author.post)("/notifications/read/", format="json")
        assert everything.json() == {"updated": 1}
        assert await next_event(other_tab) == {"type": "notification.read", "data": {"up_to": ids[2]}}
        nothing_left = await sync_to_async(as_author.post)("/notifications/read/", format="json")
        assert nothing_left.json() == {"updated": 0}
        assert await other_tab.receive_nothing(timeout=0.3), "nothing changed, nothing is sent"
        assert await theirs.receive_nothing(timeout=0.3), "another user hears nothing"
        await sync_to_async(as_fan.post)("/likes/", {"post": later_post.id}, format="json")
        assert (await next_event(other_tab))["type"] == "notification.created", "positive control: still live"
        for socket in (other_tab, theirs):
            await socket.disconnect()

    run(scenario)


def test_a_write_that_rolls_back_pushes_nothing():
    alice, bob = UserFactory(), UserFactory()

    def send_then_roll_back():
        with transaction.atomic():
            MessageFactory(sender=alice, recipient=bob)
            transaction.set_rollback(True)

    token = access_token(bob)

    async def scenario():
        socket = (await open_socket(token))[0]
        await sync_to_async(send_then_roll_back)()
        assert await socket.receive_nothing(timeout=0.5)
        kept = await sync_to_async(MessageFactory)(sender=alice, recipient=bob)
        control = await next_event(socket)
        assert (control["type"], control["data"]["id"]) == ("message.created", kept.id), "positive control"
        await socket.disconnect()

    run(scenario)


# --- typing -----------------------------------------------------------------------------------


def test_typing_is_relayed_to_a_conversation_partner_once_a_second():
    alice, bob = UserFactory(), UserFactory()
    MessageFactory(sender=alice, recipient=bob)
    token_a, token_b = access_token(alice), access_token(bob)
    as_alice = bearer_client(alice)

    async def scenario():
        a, b = (await open_socket(token_a))[0], (await open_socket(token_b))[0]
        for _ in range(3):
            await a.send_json_to({"type": "typing", "to": bob.id})
        assert (await next_event(b)) == {"type": "typing", "data": {"from": alice.id, "username": alice.username}}
        assert await b.receive_nothing(timeout=0.3), "the rest within the second are dropped"
        assert await a.receive_nothing(timeout=0.1), "nothing is stored or echoed"
        sent = await sync_to_async(as_alice.post)(f"/messages/{bob.id}/send/", {"content": "x"}, format="json")
        for socket in (a, b):  # positive control: the next thing either socket hears is this message
            assert (await next_event(socket))["data"]["id"] == sent.json()["id"]
        for socket in (a, b):
            await socket.disconnect()

    run(scenario)


def test_typing_to_a_stranger_is_refused():
    alice, stranger = UserFactory(), UserFactory()
    token_a, token_s = access_token(alice), access_token(stranger)
    as_alice = bearer_client(alice)

    async def scenario():
        a, s = (await open_socket(token_a))[0], (await open_socket(token_s))[0]
        await a.send_json_to({"type": "typing", "to": stranger.id})
        refusal = await next_event(a)
        assert refusal["type"] == "error"
        assert await s.receive_nothing(timeout=0.3)
        await a.send_json_to({"type": "shout"})
        assert (await next_event(a))["type"] == "error"
        sent = await sync_to_async(as_alice.post)(f"/messages/{stranger.id}/send/", {"content": "hi"}, format="json")
        control = await next_event(s)
        assert control["data"]["id"] == sent.json()["id"], "positive control: the stranger's socket is live"
        for socket in (a, s):
            await socket.disconnect()

    run(scenario)


# --- sign-out reaches open sockets ----------------------------------------------------------------


@pytest.mark.parametrize("end", ["logout", "password change", "password reset", "account deletion", "admin"])
def test_an_open_socket_closes_with_4003_when_its_sign_in_ends(user, end):
    signed_in, other = sessions.issue_tokens(user), sessions.issue_tokens(UserFactory())

    def end_it():
        if end == "logout":
            sessions.end_session(str(signed_in))
        elif end == "password change":
            sessions.change_password(user=user, save_password=lambda: None)
        elif end == "password reset":
            sessions.replace_password(user=user, save_password=lambda: None)
        elif end == "account deletion":
            delete_account(user)
        else:
            sessions.revoke_families(SessionFamily.objects.filter(user=user), SessionFamily.Revoked.ADMIN)

    async def scenario():
        socket, connected, _ = await open_socket(str(signed_in.access_token))
        bystander, _, _ = await open_socket(str(other.access_token))
        assert connected
        await sync_to_async(end_it)()
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": SIGNED_OUT}
        # Positive control: the other user's socket still works.
        await bystander.send_json_to({"type": "shout"})
        assert (await next_event(bystander))["type"] == "error"
        await bystander.disconnect()

    run(scenario)


# --- what a client may send -----------------------------------------------------------------------


def test_a_frame_over_the_size_limit_closes_the_socket_with_1009(settings, user):
    token = access_token(user)

    async def scenario():
        socket, _, _ = await open_socket(token)
        fits = '{"type": "typing", "to": 0, "pad": "' + "x" * (settings.WEBSOCKET_MAX_FRAME_BYTES - 60) + '"}'
        await socket.send_to(text_data=fits)
        assert (await next_event(socket))["type"] == "error", "a frame within the limit is read"
        await socket.send_to(text_data="é" * (settings.WEBSOCKET_MAX_FRAME_BYTES // 2 + 1))  # counted in bytes
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": FRAME_TOO_LARGE}

    run(scenario)


@pytest.mark.parametrize(
    "frame",
    [{"text_data": "not json"}, {"bytes_data": b"\x00\x01binary"}, {"text_data": "[" * 2000 + "]" * 2000},
     {"text_data": '"just a string"'}],
    ids=["not json", "binary", "deeply nested", "not an object"],
)
def test_a_malformed_frame_gets_an_error_and_the_socket_stays_open(caplog, frame):
    alice, bob = UserFactory(), UserFactory()
    MessageFactory(sender=alice, recipient=bob)
    token_a, token_b = access_token(alice), access_token(bob)

    async def scenario():
        a, b = (await open_socket(token_a))[0], (await open_socket(token_b))[0]
        await a.send_to(**frame)
        assert (await next_event(a))["type"] == "error"
        await a.send_json_to({"type": "typing", "to": bob.id})
        assert (await next_event(b))["type"] == "typing", "the same socket still works"
        for socket in (a, b):
            await socket.disconnect()

    run(scenario)
    assert "Traceback" not in caplog.text
    assert len([record for record in caplog.records if record.name.startswith("realtime")]) <= 1


def test_client_frames_are_limited_per_user_over_all_of_their_sockets(settings):
    settings.WEBSOCKET_FRAMES_PER_MINUTE = 6
    # The count is kept per clock minute: start well inside one, so it cannot reset halfway.
    seconds_left = 60 - time.time() % 60
    if seconds_left < 10:
        time.sleep(seconds_left)
    alice, bob = UserFactory(), UserFactory()
    tokens, bobs = [access_token(alice) for _ in range(3)], access_token(bob)

    async def scenario():
        sockets = [(await open_socket(token))[0] for token in tokens]
        for socket in sockets:  # 2 frames from each of 3 sockets: the whole rate
            for _ in range(2):
                await socket.send_json_to({"type": "shout"})
                assert (await next_event(socket))["type"] == "error"
        await sockets[0].send_json_to({"type": "shout"})
        over = await next_event(sockets[0])
        assert over == {"type": "error", "data": {"detail": "Too many frames: at most 6 a minute from all of your "
                                                            "sockets together."}}
        for socket in sockets:
            await socket.send_json_to({"type": "typing", "to": bob.id})
            assert await socket.receive_nothing(timeout=0.2), "dropped: no database check, no reply"
        other = (await open_socket(bobs))[0]
        await other.send_json_to({"type": "shout"})
        assert (await next_event(other))["type"] == "error", "positive control: another user has their own rate"
        for socket in [*sockets, other]:
            await socket.disconnect()

    run(scenario)


def test_a_user_holds_at_most_the_configured_number_of_sockets(settings, user):
    settings.WEBSOCKET_MAX_PER_USER = 3
    token = access_token(user)

    async def scenario():
        sockets = [(await open_socket(token))[0] for _ in range(3)]
        newest, connected, _ = await open_socket(token)
        assert connected
        assert await newest.receive_output(timeout=3) == {"type": "websocket.close", "code": TOO_MANY_SOCKETS}
        await sockets[0].disconnect()
        again, _, _ = await open_socket(token)
        await again.send_json_to({"type": "shout"})
        assert (await next_event(again))["type"] == "error", "a closed socket frees its place"
        for socket in [*sockets[1:], again]:
            await socket.disconnect()
        assert await sync_to_async(OpenSocket.objects.count)() == 0

    run(scenario)


def test_a_socket_left_by_a_dead_process_stops_counting_when_its_token_expires(settings, user):
    settings.WEBSOCKET_MAX_PER_USER = 1
    OpenSocket.objects.create(user=user, channel_name="gone.1", expires_at=timezone.now() - timedelta(seconds=1))
    assert not refused(access_token(user))


def test_a_handshake_for_a_host_outside_allowed_hosts_is_refused(settings, user):
    settings.ALLOWED_HOSTS = ["api.example.com"]
    token = access_token(user)

    async def connects(host):
        socket = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[(b"host", host)])
        connected, _ = await socket.connect()
        if connected:
            await socket.disconnect()
        return connected

    assert not async_to_sync(connects)(b"evil.example")
    assert not async_to_sync(connects)(b"evil.example:443")
    assert async_to_sync(connects)(b"api.example.com"), "positive control"


def test_a_sign_out_between_the_handshake_and_the_socket_opening_still_closes_it(user):
    """The handshake found the sign-in live; it ends before the consumer joins its groups (a
    middleware of the test's own, between the routing's real parts, signs out right there)."""
    signed_in = sessions.issue_tokens(user)

    def signing_out_first(inner):
        async def app(scope, receive, send):
            await sync_to_async(sessions.end_session)(str(signed_in))
            return await inner(scope, receive, send)

        return app

    stack = AllowedHostsValidator(JWTAuthMiddleware(signing_out_first(URLRouter(websocket_urlpatterns))))

    async def scenario():
        path, host = f"/ws/?token={signed_in.access_token}", [(b"host", b"testserver")]
        socket = WebsocketCommunicator(stack, path, headers=host)
        connected, _ = await socket.connect()
        assert connected
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": SIGNED_OUT}

    run(scenario)


# --- blocks: nothing passes between a blocked pair -----------------------------------------------


def test_no_event_passes_between_a_blocked_pair_typing_edits_reads_and_notifications_included():
    """After alice blocks bob: bob's typing, alice's edit, delete and read of their old messages,
    and any like reach only the one who acted. Each "nothing arrives" ends with a positive
    control: carol's message arrives first on the same socket."""
    from safety.services import block_create

    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    old = MessageFactory(sender=alice, recipient=bob, content="old")
    MessageFactory(sender=bob, recipient=alice, content="unread")
    post = PostFactory(owner=bob)
    token_a, token_b = access_token(alice), access_token(bob)
    as_alice, as_bob, as_carol = bearer_client(alice), bearer_client(bob), bearer_client(carol)
    block_create(owner=alice, blocked=bob)

    async def control(socket, user):
        sent = await sync_to_async(as_carol.post)(f"/messages/{user.id}/send/", {"content": "ping"}, format="json")
        event = await next_event(socket)
        assert (event["type"], event["data"]["id"]) == ("message.created", sent.json()["id"])

    async def scenario():
        a, b = (await open_socket(token_a))[0], (await open_socket(token_b))[0]
        await b.send_json_to({"type": "typing", "to": alice.id})
        assert (await next_event(b))["type"] == "error"
        edited = await sync_to_async(as_alice.patch)(f"/messages/{old.id}/update/", {"content": "edited"},
                                                     format="json")
        assert edited.status_code == 200
        assert (await next_event(a))["type"] == "message.updated"  # the one who acted hears it
        read = await sync_to_async(as_alice.post)(f"/messages/{bob.id}/read/")
        assert read.json() == {"updated": 1}
        assert (await next_event(a))["type"] == "conversation.read"
        deleted = await sync_to_async(as_alice.delete)(f"/messages/{old.id}/delete/")
        assert deleted.status_code == 204
        assert (await next_event(a))["type"] == "message.deleted"
        liked = await sync_to_async(as_alice.post)("/likes/", {"post": post.id}, format="json")
        assert liked.status_code == 400
        sent = await sync_to_async(as_bob.post)(f"/messages/{alice.id}/send/", {"content": "?"}, format="json")
        assert sent.status_code == 403
        await control(b, bob)  # nothing of alice's reached bob before carol's message
        await control(a, alice)  # nor anything of bob's reached alice
        for socket in (a, b):
            await socket.disconnect()

    run(scenario)


# --- one rendering per process ----------------------------------------------------------------------


def test_an_event_is_rendered_once_for_all_of_a_users_sockets_in_a_process(monkeypatch):
    """Ten tabs of one user: the message is read from the database once and all ten get it; the
    sender's own socket is a second rendering (another user), and an edit of the same message is a
    new push, rendered afresh (not the first rendering again)."""
    alice, bob = UserFactory(), UserFactory()
    token_a, token_b = access_token(alice), access_token(bob)
    renders = []
    represent = LiveConsumer.represent

    def counted(self, event, request):
        renders.append((self.user.id, event["event"]))
        return represent(self, event, request)

    monkeypatch.setattr(LiveConsumer, "represent", counted)
    as_alice = bearer_client(alice)

    async def scenario():
        tabs = [(await open_socket(token_b))[0] for _ in range(10)]
        sender = (await open_socket(token_a))[0]
        sent = await sync_to_async(as_alice.post)(f"/messages/{bob.id}/send/", {"content": "hi"}, format="json")
        received = [await next_event(tab) for tab in tabs]
        assert {event["data"]["id"] for event in received} == {sent.json()["id"]}
        assert all(event == received[0] for event in received)
        assert (await next_event(sender))["data"]["is_sender"] is True
        assert sorted(renders) == sorted([(bob.id, "message.created"), (alice.id, "message.created")])

        await sync_to_async(as_alice.patch)(f"/messages/{sent.json()['id']}/update/", {"content": "edited"},
                                            format="json")
        edited = [await next_event(tab) for tab in tabs]
        assert {event["data"]["content"] for event in edited} == {"edited"}
        assert renders.count((bob.id, "message.updated")) == 1
        for socket in (*tabs, sender):
            await socket.disconnect()

    run(scenario)
