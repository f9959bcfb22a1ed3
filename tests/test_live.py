"""The WebSocket end to end: gunicorn with uvicorn's worker (the Procfile), a real WebSocket client.

With Redis as the channel layer, two server processes deliver to each other: a message sent
through one arrives, in order, on a socket held by the other.
"""
import json
from contextlib import ExitStack

import pytest
import requests
from websockets.sync.client import connect

from testing import bearer, gunicorn_server, redis_server, server_env, sign_up

pytestmark = pytest.mark.server


def socket_url(base_url, session):
    return f"{base_url.replace('http://', 'ws://')}/ws/?token={session['access_token']}"


def receive(socket, timeout=5):
    return json.loads(socket.recv(timeout=timeout))


def test_a_rest_send_arrives_on_the_partners_socket(live_database_url):
    with gunicorn_server(server_env(live_database_url), workers=1) as base_url:
        alice, bob = sign_up(base_url, "alice"), sign_up(base_url, "bob")
        with connect(socket_url(base_url, bob)) as socket:
            sent = requests.post(
                f"{base_url}/messages/{bob['user']['pk']}/send/", json={"content": "Are you there?"},
                headers=bearer(alice), timeout=10,
            )
            assert sent.status_code == 201
            event = receive(socket)
        assert event == {"type": "message.created", "data": {**sent.json(), "is_sender": False}}
        health = requests.get(f"{base_url}/health/", timeout=10)
        assert health.json() == {"status": "ok"}, "HTTP and the WebSocket from one process"


def test_with_redis_two_server_processes_deliver_every_event_in_order(live_database_url):
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_server())
        env = server_env(live_database_url, REDIS_URL=redis_url)
        one = stack.enter_context(gunicorn_server(env, workers=1))
        two = stack.enter_context(gunicorn_server(env, workers=1))
        alice, bob = sign_up(one, "alice"), sign_up(one, "bob")
        post = requests.post(f"{one}/posts/", json={"title": "Look"}, headers=bearer(bob), timeout=10).json()
        on_one = stack.enter_context(connect(socket_url(one, alice)))
        on_two = stack.enter_context(connect(socket_url(two, bob)))
        sent = [
            requests.post(
                f"{one}/messages/{bob['user']['pk']}/send/", json={"content": f"message {number}"},
                headers=bearer(alice), timeout=10,
            ).json()["id"]
            for number in range(20)
        ]
        like = requests.post(f"{two}/likes/", json={"post": post["id"]}, headers=bearer(alice), timeout=10)
        assert like.status_code == 201
        on_bob = [receive(on_two) for _ in range(21)]
        on_alice = [receive(on_one) for _ in range(20)]
    assert [event["data"]["id"] for event in on_bob[:20]] == sent
    assert {event["type"] for event in on_bob[:20]} == {"message.created"}
    assert on_bob[20]["type"] == "notification.created"
    assert on_bob[20]["data"]["actor"]["id"] == alice["user"]["pk"]
    assert [event["data"]["id"] for event in on_alice] == sent
