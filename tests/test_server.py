"""The API served by a real gunicorn, as in production (DEBUG off, whitenoise, local media).

Cloudinary is the one service out of reach: its SDK talks to a small local stand-in instead,
through the SDK's own `upload_prefix` setting.
"""
import io
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
from PIL import Image

from testing import BASE_DIR
from testing.browser import chromium
from testing.clients import at_once
from testing.cloudinary import cloudinary_stand_in
from testing.images import image_bytes
from testing.servers import bearer, free_port, gunicorn_server, manage, procfile_command, server_env, sign_up

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(live_database_url):
    with gunicorn_server(server_env(live_database_url)) as base_url:
        yield base_url


def test_root_health_and_json_404(server):
    assert requests.get(f"{server}/", timeout=10).json()["schema"] == f"{server}/schema/"
    assert requests.get(f"{server}/health/", timeout=10).json() == {"status": "ok"}
    missing = requests.get(f"{server}/nowhere/", headers={"Accept": "text/html"}, timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def test_under_script_name_from_the_environment_every_url_carries_the_prefix(live_database_url):
    """A proxy that passes /api/... through unchanged, and SCRIPT_NAME=/api in gunicorn's environment."""
    with gunicorn_server(server_env(live_database_url, SCRIPT_NAME="/api")) as base_url:
        session, _ = sign_up(f"{base_url}/api"), sign_up(f"{base_url}/api")
        assert session["user"]["profile_image"].startswith(f"{base_url}/api/static/images/default_profile.")
        welcome = requests.get(f"{base_url}/api/", timeout=10).json()
        assert welcome["docs"] == f"{base_url}/api/docs/"
        users = requests.get(f"{base_url}/api/users/", params={"page_size": 1}, headers=bearer(session), timeout=10)
        assert users.json()["next"] == f"{base_url}/api/users/?page=2&page_size=1"
        docs = requests.get(f"{base_url}/api/docs/", timeout=10).text
        assert "/api/static/drf_spectacular_sidecar/" in docs
        css = re.search(r'href="(/api/static/[^"]+\.css)"', docs).group(1)
        assert requests.get(f"{base_url}{css}", timeout=10).status_code == 200


def test_admin_static_files_are_served_by_whitenoise(server):
    page = requests.get(f"{server}/admin/login/", timeout=10)
    assert page.status_code == 200
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', page.text).group(1)
    response = requests.get(f"{server}{css}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"


def test_sign_up_then_upload_a_profile_image_stored_and_served_locally(server):
    session = sign_up(server)
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    profile_url = f"{server}/profiles/{session['user']['profile_id']}/"
    response = requests.patch(
        profile_url, headers=headers, files={"image": ("me.png", image_bytes(), "image/png")}, timeout=10
    )
    assert response.status_code == 200, response.text
    image_url = response.json()["image"]
    assert image_url.startswith(f"{server}/media/images/profiles/")
    served = requests.get(image_url, timeout=10)
    assert served.status_code == 200
    assert served.content == image_bytes()


def test_body_over_the_cap_is_413_json(server):
    session = sign_up(server)
    response = requests.patch(
        f"{server}/profiles/{session['user']['profile_id']}/",
        headers={"Authorization": f"Bearer {session['access_token']}"},
        files={"image": ("big.png", b"\x00" * (7 * 1024 * 1024), "image/png")},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 6 MB is accepted."}


UNAVAILABLE = {"detail": "The service is temporarily unavailable: the database cannot be reached. Try again shortly."}


def assert_unavailable(base_url):
    health = requests.get(f"{base_url}/health/", timeout=20)
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "detail": "The database is not reachable."}
    assert health.headers["Retry-After"] == "5"
    for path in ("/posts/", "/profiles/1/", "/comments/"):
        response = requests.get(f"{base_url}{path}", timeout=20)
        assert response.status_code == 503, (path, response.text[:300])
        assert response.json() == UNAVAILABLE
        assert response.headers["Retry-After"] == "5"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    login = requests.post(f"{base_url}/dj-rest-auth/login/", json={"username": "a", "password": "b"}, timeout=20)
    assert login.status_code == 503


def test_every_request_is_503_with_retry_after_while_the_database_is_down():
    dead_database = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    with gunicorn_server(server_env(dead_database), workers=1) as base_url:
        assert_unavailable(base_url)


def test_a_database_that_never_answers_cannot_hang_a_worker():
    """The database accepts the connection and then says nothing: the connect timeout ends the wait."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel completes the handshakes; nobody ever answers
    hanging_database = f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/nothing"
    try:
        env = server_env(hanging_database, DATABASE_CONNECT_TIMEOUT="2")
        with gunicorn_server(env, workers=1) as base_url:
            started = time.monotonic()
            assert_unavailable(base_url)
            assert time.monotonic() - started < 30, "each request waited about the connect timeout, not forever"
    finally:
        silent.close()


def test_media_go_to_cloudinary_when_cloudinary_url_is_set(live_database_url):
    with cloudinary_stand_in() as stand_in:
        cloudinary_url = f"cloudinary://key:secret@demo?upload_prefix={stand_in.url}"
        with gunicorn_server(server_env(live_database_url, CLOUDINARY_URL=cloudinary_url)) as base_url:
            session = sign_up(base_url)
            assert "/static/images/default_profile." in session["user"]["profile_image"]
            response = requests.patch(
                f"{base_url}/profiles/{session['user']['profile_id']}/",
                headers={"Authorization": f"Bearer {session['access_token']}"},
                files={"image": ("me.png", image_bytes(), "image/png")},
                timeout=20,
            )
    assert response.status_code == 200, response.text
    [(path, fields)] = stand_in.uploads
    assert path == "/v1_1/demo/image/upload" and fields["folder"] == "media/images/profiles"
    [(public_id, stored)] = stand_in.stored.items()
    body = response.json()
    assert body["image"] == f"https://res.cloudinary.com/demo/image/upload/v{stand_in.version}/{public_id}.png"
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (body["image_width"], body["image_height"]) == (8, 8)


def race(url, payload, headers=None):
    """POST the same body twice at the same instant; the two (status, body) pairs, sorted."""
    send = lambda: requests.post(url, json=payload, headers=headers, timeout=30)  # noqa: E731
    return sorted(((response.status_code, response.json()) for response in at_once([send, send])), key=lambda r: r[0])


def test_two_identical_sign_ups_at_once_make_one_user_and_one_400_outcome_only(server):
    """Concurrency is real: both requests race through two gunicorn workers."""
    for _ in range(5):
        username = f"race_{uuid.uuid4().hex[:10]}"
        payload = {"username": username, "password1": "Race-pass-4242", "password2": "Race-pass-4242"}
        (created, _), (rejected, body) = race(f"{server}/dj-rest-auth/registration/", payload)
        assert (created, rejected) == (201, 400)
        assert "username" in body


def test_two_identical_likes_at_once_make_one_like_and_one_400_outcome_only(server):
    author = sign_up(server)
    post = requests.post(
        f"{server}/posts/", json={"title": "Race me"},
        headers={"Authorization": f"Bearer {author['access_token']}"}, timeout=10,
    ).json()
    for _ in range(5):
        fan = sign_up(server)
        headers = {"Authorization": f"Bearer {fan['access_token']}"}
        (created, _), (rejected, body) = race(f"{server}/likes/", {"post": post["id"]}, headers)
        assert (created, rejected) == (201, 400)
        assert body == {"detail": "possible duplicate"}
    listed = requests.get(f"{server}/posts/{post['id']}/", timeout=10).json()
    assert listed["likes_count"] == 5


def test_swagger_ui_renders_every_operation_from_this_server_alone(server, tmp_path):
    """/docs/ in headless Chromium: Swagger UI's assets come from this server, no network."""
    dom = chromium(tmp_path, "--dump-dom", f"{server}/docs/")
    rendered = set(re.findall(r'data-path="([^"]+)"', dom))
    expected = ["/posts/", "/profiles/{id}/", "/messages/{user_id}/send/", "/dj-rest-auth/login/"]
    for path in [*expected, "/chats/{user_id}/delete/"]:
        assert path in rendered, f"{path} missing from the rendered Swagger UI"
    assert len(rendered) >= 30
    screenshot = tmp_path / "docs.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,1600", f"{server}/docs/")
    with Image.open(screenshot) as image:
        assert image.size == (1280, 1600)
        assert len(image.convert("L").getcolors(maxcolors=1 << 16) or []) > 20, "the page is not blank"


@pytest.mark.parametrize("proxies, trusted", [("0", False), ("1", True)], ids=["no proxy", "one proxy"])
def test_x_forwarded_proto_counts_only_behind_a_declared_proxy(live_database_url, proxies, trusted):
    env = server_env(live_database_url, NUM_PROXIES=proxies, SECURE_SSL_REDIRECT="on")
    with gunicorn_server(env, workers=1) as base_url:
        claimed = requests.get(f"{base_url}/", headers={"X-Forwarded-Proto": "https"}, allow_redirects=False,
                               timeout=10)
        if trusted:
            assert claimed.status_code == 200
            assert claimed.json()["docs"].startswith("https://"), "the proxy's word on the scheme counts"
        else:
            assert claimed.status_code == 301, "a client's own header does not skip the SSL redirect"
            assert claimed.headers["Location"] == base_url.replace("http://", "https://") + "/"
        plain = requests.get(f"{base_url}/", allow_redirects=False, timeout=10)
        assert plain.status_code == 301, "positive control: plain HTTP is redirected either way"


@pytest.mark.parametrize("process_type", ["web", "live"])
def test_a_production_start_without_collected_static_files_fails_at_once(live_database_url, tmp_path, process_type):
    env = server_env(live_database_url, STATIC_ROOT=str(tmp_path / "never-collected"))
    checked = manage("check", "--deploy", env=env)
    assert checked.returncode != 0
    assert "drf_api.E001" in checked.stderr and "collectstatic" in checked.stderr
    started = subprocess.run(
        [sys.executable, "-m", *procfile_command(process_type), "--bind", f"127.0.0.1:{free_port()}",
         "--workers", "1"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert started.returncode != 0, "the server refuses to start"
    assert "Static files are not collected" in started.stdout + started.stderr
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0
    assert "drf_api.E001" not in manage("check", "--deploy", env=env).stderr, "positive control: collected"
