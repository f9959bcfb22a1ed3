"""schemathesis fuzzes the committed schema.yml against a live gunicorn on PostgreSQL.

Every check runs (5xx, response shapes and headers, status codes, content types, accepting valid
and refusing invalid input, auth), once signed in and once anonymous. The few exclusions, each a
false positive for a reason written beside it, are in schemathesis.toml. The run is bounded and
deterministic: the same cases every time.
"""
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.db import connection

from testing import BASE_DIR
from testing.images import image_bytes
from testing.servers import bearer, gunicorn_server, server_env, sign_up

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="fuzzing runs against PostgreSQL"),
]

MAX_EXAMPLES = 80


@pytest.fixture(scope="module")
def server(live_database_url):
    with gunicorn_server(server_env(live_database_url), workers=5) as base_url:
        yield base_url


def seed(base_url):
    """A signed-in fuzzer with a post, a comment, a like, a follow and a conversation to find."""
    fuzzer, friend = sign_up(base_url, "fuzz"), sign_up(base_url, "friend")
    post = requests.post(
        f"{base_url}/posts/", headers=bearer(fuzzer), timeout=10,
        data={"title": "Seed"}, files={"image": ("seed.png", image_bytes(), "image/png")},
    ).json()
    writes = [
        (friend, "/comments/", {"post": post["id"], "content": "hi"}),
        (friend, "/likes/", {"post": post["id"]}),
        (fuzzer, "/followers/", {"followed": friend["user"]["pk"]}),
        (fuzzer, f"/messages/{friend['user']['pk']}/send/", {"content": "hi"}),
    ]
    for author, path, payload in writes:
        response = requests.post(f"{base_url}{path}", json=payload, headers=bearer(author), timeout=10)
        assert response.status_code == 201, response.text
    return fuzzer


def schemathesis(base_url, *headers):
    command = [
        str(Path(sys.executable).parent / "st"), "run", "schema.yml", "--url", base_url,
        # One worker: hypothesis describes its strategies with Python's ast, which is not
        # thread-safe on Python 3.11 ("AST constructor recursion depth mismatch").
        "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--no-color",
    ]
    for header in headers:
        command += ["--header", header]
    result = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, timeout=600)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, signed_in):
    headers = [f"Authorization: Bearer {seed(server)['access_token']}"] if signed_in else []
    returncode, output = schemathesis(server, *headers)
    summary = output[output.find("SUMMARY"):]
    print(summary)  # noqa: T201  (the case count, for the record)
    assert returncode == 0, output[-20000:]
    assert " passed" in summary and "failures" not in summary, summary
