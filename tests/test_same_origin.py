"""The browser app's way of using the API, through the committed nginx recipe: one origin, the app
at /, the API at /api/ (deploy/nginx-site.conf in front of a real gunicorn), cookies only.

The first test is the real app's HTTP behaviour with a real cookie jar; the second is a page of
our own in headless Chromium doing the same with fetch().
"""
import html
import json
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from urllib.parse import urlencode

import jwt
import pytest
import requests
from websockets.sync.client import connect

from testing.browser import chromium
from testing.images import image_bytes
from testing.servers import bearer, gunicorn_server, live_query, nginx_in_front, redis_server, server_env, sign_up

pytestmark = pytest.mark.server

INDEX = "<!doctype html><title>The app</title><div id=app></div>"


@pytest.fixture(scope="module")
def origin(live_database_url, tmp_path_factory):
    """The app's origin: nginx on a free port in front of the Procfile's `web` and `live` processes
    (one trusted proxy, plain HTTP)."""
    with ExitStack() as stack:
        # Writes go to `web`, sockets to `live`: Redis carries the events between the two.
        redis_url = stack.enter_context(redis_server())
        env = server_env(live_database_url, NUM_PROXIES="1", SECURE_COOKIES="off", REDIS_URL=redis_url)
        api = stack.enter_context(gunicorn_server(env, workers=3))
        live = stack.enter_context(gunicorn_server(env, workers=1, live=True))
        yield stack.enter_context(nginx_in_front(api, live, APP_FILES))


def csrf_header(session):
    return {"X-CSRFToken": session.cookies["csrftoken"]}


def test_the_browser_apps_session_through_nginx(origin, live_database_url):
    api = f"{origin}/api"
    author = sign_up(api, "author")
    for number in range(12):
        requests.post(f"{api}/posts/", json={"title": f"Post {number}"}, headers=bearer(author), timeout=10)
    me = sign_up(api, "browser")
    username = me["user"]["username"]

    browser = requests.Session()
    assert browser.get(f"{origin}/feed/", timeout=10).text == INDEX, "the app routes in the browser"
    signed_in = browser.post(
        f"{api}/dj-rest-auth/login/", json={"username": username, "password": me["password"]}, timeout=10
    )
    assert signed_in.status_code == 200
    login_body_token = signed_in.json()["refresh_token"]
    assert "csrftoken" in browser.cookies, "login hands out the CSRF cookie"

    # Before every request the app refreshes with the login body's token, often two at once.
    def refresh_then_read(_):
        refreshed = browser.post(f"{api}/dj-rest-auth/token/refresh/", json={"refresh": login_body_token}, timeout=10)
        read = browser.get(f"{api}/dj-rest-auth/user/", timeout=10)
        return refreshed.status_code, read.status_code, read.json().get("username")

    with ThreadPoolExecutor(max_workers=2) as pair:
        for _ in range(15):
            assert list(pair.map(refresh_then_read, range(2))) == [(200, 200, username)] * 2

    # Follow by username lookup, as the app does; then the feed, page 2 through `next`.
    found = browser.get(f"{api}/users/", params={"username": author["user"]["username"]}, timeout=10).json()
    author_id = found["results"][0]["id"]
    followed = browser.post(f"{api}/followers/", json={"followed": author_id}, headers=csrf_header(browser), timeout=10)
    assert followed.status_code == 201, followed.text
    feed = browser.get(f"{api}/posts/", params={"followed": me["user"]["profile_id"]}, timeout=10).json()
    assert feed["count"] == 12
    assert feed["next"].startswith(f"{api}/posts/?")
    page_two = browser.get(feed["next"], timeout=10)
    assert page_two.headers["Content-Type"] == "application/json"
    assert len(page_two.json()["results"]) == 2
    assert page_two.json()["results"][0]["profile_image"].startswith(f"{api}/static/")

    # The socket, on the same origin, signed in by the auth cookie: the author's message arrives.
    cookie = f"drf-api-auth={browser.cookies['drf-api-auth']}"
    socket_url = f"{origin.replace('http://', 'ws://')}/api/ws/"
    with connect(socket_url, additional_headers={"Cookie": cookie, "Origin": origin}) as socket:
        hello = requests.post(
            f"{api}/messages/{me['user']['pk']}/send/", json={"content": "Welcome"}, headers=bearer(author), timeout=10
        )
        event = json.loads(socket.recv(timeout=5))
    assert event == {"type": "message.created", "data": {**hello.json(), "is_sender": False}}

    # Cookie-authenticated writes carry X-CSRFToken from the cookie; without it they are 403.
    post_id = feed["results"][0]["id"]
    like = {"json": {"post": post_id}, "timeout": 10}
    assert browser.post(f"{api}/likes/", **like).status_code == 403
    assert browser.post(f"{api}/likes/", headers=csrf_header(browser), **like).status_code == 201
    comment = browser.post(
        f"{api}/comments/", json={"post": post_id, "content": "Lovely"}, headers=csrf_header(browser), timeout=10
    )
    assert comment.status_code == 201
    message = browser.post(
        f"{api}/messages/{author_id}/send/", data={"content": "A photo for you"},
        files={"image": ("photo.png", image_bytes(), "image/png")}, headers=csrf_header(browser), timeout=10,
    )
    assert message.status_code == 201, message.text
    assert message.json()["image"].startswith(f"{api}/media/images/messages/")
    assert browser.get(message.json()["image"], timeout=10).content == image_bytes()

    # Unfollow: find the row by the followers filter, delete it.
    rows = browser.get(f"{api}/followers/", params={"followed": author_id, "owner": me["user"]["pk"]}, timeout=10)
    row_id = rows.json()["results"][0]["id"]
    assert browser.delete(f"{api}/followers/{row_id}/", headers=csrf_header(browser), timeout=10).status_code == 204

    # One live refresh token in the family, and it is the cookie jar's; signing out ends it.
    live = live_query(
        live_database_url,
        f"SELECT current_jti FROM users_sessionfamily WHERE user_id = {me['user']['pk']} AND revoked_at IS NULL",
    )
    registration_and_login = 2
    assert len(live) == registration_and_login
    jar_token = browser.cookies["drf-api-refresh"]
    assert jwt.decode(jar_token, options={"verify_signature": False})["jti"] in {jti for (jti,) in live}
    signed_out = browser.post(f"{api}/dj-rest-auth/logout/", json={}, headers=csrf_header(browser), timeout=10)
    assert signed_out.status_code == 200
    assert "drf-api-refresh" not in browser.cookies
    reused = requests.post(f"{api}/dj-rest-auth/token/refresh/", json={"refresh": jar_token}, timeout=10)
    assert reused.status_code == 401
    assert browser.get(f"{api}/dj-rest-auth/user/", timeout=10).status_code == 401


PAGE = """<!doctype html>
<title>drf_api same-origin check</title>
<script>
const csrf = () => (document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")) || "=").split("=")[1];
const call = (path, method, body, headers = {}) => fetch("/api" + path, {
  method, credentials: "include", headers: {"Content-Type": "application/json", ...headers},
  body: body === undefined ? undefined : JSON.stringify(body),
});
async function run() {
  const out = {};
  const query = new URLSearchParams(location.search);
  const login = await call("/dj-rest-auth/login/", "POST",
                           {username: query.get("username"), password: query.get("password")});
  out.login = login.status;
  const user = (await login.json()).user;
  out.readsAuthCookie = document.cookie.includes("drf-api-auth");
  out.writeWithoutCsrf = (await call(`/profiles/${user.profile_id}/`, "PATCH", {name: "no header"})).status;
  out.write = (await call(`/profiles/${user.profile_id}/`, "PATCH", {name: "From the browser"},
                          {"X-CSRFToken": csrf()})).status;
  const pair = await Promise.all([1, 2].map(() => call("/dj-rest-auth/token/refresh/", "POST", {})));
  out.refreshes = pair.map((response) => response.status);
  out.me = (await (await call("/dj-rest-auth/user/", "GET")).json()).username;
  out.profile = (await (await call(`/profiles/${user.profile_id}/`, "GET")).json()).name;
  document.body.setAttribute("data-result", JSON.stringify(out));
}
run().catch((error) => document.body.setAttribute("data-result", JSON.stringify({error: String(error)})));
</script>
"""
APP_FILES = {"index.html": INDEX, "check.html": PAGE}


def test_a_real_browser_on_the_same_origin_signs_in_writes_and_refreshes_twice_at_once(origin, tmp_path):
    me = sign_up(f"{origin}/api", "chromium")
    query = urlencode({"username": me["user"]["username"], "password": me["password"]})
    dom = chromium(tmp_path, "--dump-dom", f"{origin}/check.html?{query}")
    result = json.loads(html.unescape(re.search(r'data-result="([^"]*)"', dom).group(1)))
    assert result == {
        "login": 200, "readsAuthCookie": False, "writeWithoutCsrf": 403, "write": 200,
        "refreshes": [200, 200], "me": me["user"]["username"], "profile": "From the browser",
    }
