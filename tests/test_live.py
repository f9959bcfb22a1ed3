"""The WebSocket end to end: the Procfile's `live` process (ASGI, uvicorn's worker), a real client.

With Redis as the channel layer, two server processes deliver to each other: a message sent
through one arrives, in order, on a socket held by the other.
"""
import http.client
import json
import os
import signal
import threading
import time
from contextlib import ExitStack
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from testing.browser import headless_chromium
from testing.servers import bearer, gunicorn_pids, gunicorn_server, server_env, sign_up, socket_url, two_live_servers

pytestmark = pytest.mark.server


def receive(socket, timeout=5):
    return json.loads(socket.recv(timeout=timeout))


def test_a_rest_send_arrives_on_the_partners_socket(live_database_url):
    with gunicorn_server(server_env(live_database_url), workers=1, live=True) as base_url:
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
        one, two = stack.enter_context(two_live_servers(live_database_url))
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


LIVE_PAGE = """<!doctype html>
<title>drf_api live check</title>
<script>
const query = new URLSearchParams(location.search);
const api = query.get("api");
const csrf = () => (document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")) || "=").split("=")[1];
const call = (path, method, body) => fetch(api + path, {
  method, credentials: "include",
  headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
  body: body === undefined ? undefined : JSON.stringify(body),
});
window.events = [];
async function run() {
  const login = await call("/dj-rest-auth/login/", "POST",
                           {username: query.get("username"), password: query.get("password")});
  if (login.status !== 200) throw new Error("login " + login.status);
  if (query.get("role") === "listener") {
    const socket = new WebSocket(api.replace("http", "ws") + "/ws/");
    socket.onmessage = (event) => window.events.push(JSON.parse(event.data));
    socket.onopen = () => { window.ready = true; };
  } else {
    window.like = (await call("/likes/", "POST", {post: Number(query.get("post"))})).status;
    window.send = (await call(`/messages/${query.get("to")}/send/`, "POST", {content: "Hello from A"})).status;
    window.done = true;
  }
}
run().catch((error) => { window.failure = String(error); });
</script>
"""


def test_in_a_real_browser_b_sees_a_like_and_a_message_from_a_live(live_database_url, tmp_path):
    """Two pages on a second local origin, signed in as A and B through cookies (separate browser contexts)."""
    page_root = tmp_path / "pages"
    page_root.mkdir()
    (page_root / "live.html").write_text(LIVE_PAGE)
    pages = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(page_root)))
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    page_origin = f"http://127.0.0.1:{pages.server_port}"
    env = server_env(live_database_url, CLIENT_ORIGINS=page_origin, SECURE_COOKIES="off")
    try:
        with gunicorn_server(env, workers=1, live=True) as api, headless_chromium(tmp_path) as browser:
            alice, bob = sign_up(api, "alice"), sign_up(api, "bob")
            post = requests.post(f"{api}/posts/", json={"title": "B's view"}, headers=bearer(bob), timeout=10).json()

            def open_page(session, **extra):
                query = urlencode({"api": api, "username": session["user"]["username"],
                                   "password": session["password"], **extra})
                return browser.new_page(f"{page_origin}/live.html?{query}")

            as_bob = open_page(bob, role="listener")
            assert as_bob.wait_for("window.ready || window.failure") is True
            as_alice = open_page(alice, role="actor", post=post["id"], to=bob["user"]["pk"])
            assert as_alice.wait_for("window.done || window.failure") is True
            assert as_alice.evaluate("[window.like, window.send]") == [201, 201]
            events = as_bob.wait_for("window.events.length >= 2 && window.events")
    finally:
        pages.shutdown()
        pages.server_close()
    by_type = {event["type"]: event["data"] for event in events}
    assert by_type["notification.created"]["type"] == "like"
    assert by_type["notification.created"]["actor"]["username"] == alice["user"]["username"]
    assert by_type["message.created"]["content"] == "Hello from A"
    assert by_type["message.created"]["is_sender"] is False


def test_sigterm_drains_the_request_in_flight_and_closes_sockets_with_1012_then_clients_catch_up(
        live_database_url):
    """A graceful stop of a `live` process: the request it is reading finishes (201), the open socket
    is closed with 1012 ("service restart": reconnect), and after reconnecting to a process that
    is up, the client catches up with ?after= and finds what it missed, once."""
    env = server_env(live_database_url)
    with gunicorn_server(env, workers=1, live=True) as spare:
        alice, bob = sign_up(spare, "alice"), sign_up(spare, "bob")
        send = f"/messages/{bob['user']['pk']}/send/"
        before = requests.post(f"{spare}{send}", json={"content": "before"}, headers=bearer(alice), timeout=10).json()
        with gunicorn_server(env, workers=1, live=True) as stopping, connect(socket_url(stopping, bob)) as socket:
            started, answer = threading.Event(), {}

            body = (b'{"content": ', b'"sent while the server stops"}')

            def in_flight():
                # Headers and half the body at once, the other half late: the request is in flight.
                host, port = stopping.removeprefix("http://").split(":")
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                connection.putrequest("POST", send)
                for name, value in {**bearer(alice), "Content-Type": "application/json",
                                    "Content-Length": str(len(b"".join(body)))}.items():
                    connection.putheader(name, value)
                connection.endheaders(body[0])
                started.set()
                time.sleep(1.5)
                connection.send(body[1])
                response = connection.getresponse()
                answer["response"] = (response.status, response.read().decode())

            client = threading.Thread(target=in_flight)
            client.start()
            assert started.wait(5)
            time.sleep(0.3)
            os.kill(gunicorn_pids(stopping.rsplit(":", 1)[1])[0], signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    socket.recv(timeout=10)
            assert closed.value.rcvd.code == 1012
            client.join(30)
            assert answer["response"][0] == 201, answer["response"]
        missed = requests.get(f"{spare}/messages/{alice['user']['pk']}/", params={"after": before["id"]},
                              headers=bearer(bob), timeout=10).json()
        assert [message["content"] for message in missed["results"]] == ["sent while the server stops"]
