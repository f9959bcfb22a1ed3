"""Twenty requests at the same instant, through gunicorn on PostgreSQL: no 5xx, no duplicate, no orphan.

Each case fires its requests from 20 threads released by one barrier at a server that serves
20 at once, then checks what the database kept: the outcome only (nothing here proves that the
requests overlapped inside the server; likes/tests/test_concurrency.py and tests/test_updates.py
do, with a barrier in the server path and the database's lock waits).
"""
import uuid

import psycopg
import pytest
import requests
from django.db import connection

from testing.clients import at_once
from testing.servers import bearer, gunicorn_server, server_env, sign_up

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a server database"),
]

AT_ONCE = 20


@pytest.fixture(scope="module")
def server(live_database_url):
    with gunicorn_server(server_env(live_database_url), workers=8) as base_url:
        yield base_url


def responses_at_once(calls):
    """(status, body) of each call's response, all sent at the same instant."""
    return [(response.status_code, response.json() if response.content else None) for response in at_once(calls)]


def post(base_url, path, session, payload):
    return lambda: requests.post(f"{base_url}{path}", json=payload, headers=bearer(session), timeout=60)


def new_post(base_url, author):
    response = requests.post(f"{base_url}/posts/", json={"title": "Racing"}, headers=bearer(author), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def statuses(results):
    return sorted(status for status, _ in results)


def test_one_refresh_token_posted_twenty_times_mints_exactly_one_new_token_outcome_only(server):
    session = sign_up(server)
    payload = {"refresh": session["refresh_token"]}
    results = responses_at_once([post(server, "/dj-rest-auth/token/refresh/", {"access_token": ""}, payload)] * AT_ONCE)
    assert statuses(results) == [200] + [401] * (AT_ONCE - 1), results
    refused = {body["detail"] for status, body in results if status == 401}
    # The first loser is reuse of a rotated-out token, which revokes the family; the rest find it revoked.
    reused = "Token was already used: every session of this sign-in has been signed out."
    assert refused <= {reused, "Token is blacklisted"}


def test_twenty_users_renaming_to_one_username_one_wins_outcome_only(server):
    users = [sign_up(server) for _ in range(AT_ONCE)]
    name = f"Wanted_{uuid.uuid4().hex[:8]}"
    calls = [
        lambda user=user: requests.patch(
            f"{server}/dj-rest-auth/user/", json={"username": name}, headers=bearer(user), timeout=60
        )
        for user in users
    ]
    results = responses_at_once(calls)
    assert statuses(results) == [200] + [400] * (AT_ONCE - 1), results
    assert {str(body) for status, body in results if status == 400} == {
        str({"username": ["A user with that username already exists."]})
    }


@pytest.mark.parametrize("path, extra", [("/likes/", {}), ("/comments/", {"content": "Me first!"})])
def test_a_post_deleted_while_nineteen_others_write_on_it_is_deleted_cleanly_outcome_only(server, path, extra):
    author = sign_up(server)
    fans = [sign_up(server) for _ in range(AT_ONCE - 1)]
    for _ in range(5):
        target = new_post(server, author)
        url = f"{server}/posts/{target['id']}/"
        delete = lambda url=url: requests.delete(url, headers=bearer(author), timeout=60)  # noqa: E731
        writes = [post(server, path, fan, {"post": target["id"], **extra}) for fan in fans]
        (deleted, _), *written = responses_at_once([delete, *writes])
        assert deleted == 204
        gone_messages = {"This post has been deleted.", f'Invalid pk "{target["id"]}" - object does not exist.'}
        for status, body in written:
            assert status == 201 or (status == 400 and set(body["post"]) <= gone_messages), (status, body)
        assert requests.get(f"{server}/posts/{target['id']}/", timeout=10).status_code == 404
        assert requests.get(f"{server}{path}", params={"post": target["id"]}, timeout=10).json()["count"] == 0


@pytest.mark.parametrize(
    "path, payload",
    [("/likes/", lambda base_url: {"post": new_post(base_url, sign_up(base_url))["id"]}),
     ("/followers/", lambda base_url: {"followed": sign_up(base_url)["user"]["pk"]})],
    ids=["like", "follow"],
)
def test_twenty_identical_writes_make_one_row_and_nineteen_possible_duplicates_outcome_only(server, path, payload):
    session, body = sign_up(server), payload(server)
    results = responses_at_once([post(server, path, session, body)] * AT_ONCE)
    assert statuses(results) == [201] + [400] * (AT_ONCE - 1), results
    assert {str(body) for status, body in results if status == 400} == {str({"detail": "possible duplicate"})}
    owner_filter = {"owner": session["user"]["pk"]}
    assert requests.get(f"{server}{path}", params=owner_filter, timeout=10).json()["count"] == 1


def test_patches_racing_a_delete_never_bring_the_post_back_outcome_only(server):
    """Eight PATCHes and the DELETE of one post at once, eight times over (the outcome is checked:
    before updates were forced, the deleted post was back in 6 rounds of 8)."""
    author = sign_up(server)
    for _ in range(8):
        url = f"{server}/posts/{new_post(server, author)['id']}/"
        delete = lambda url=url: requests.delete(url, headers=bearer(author), timeout=60)  # noqa: E731
        patch = lambda url=url: requests.patch(url, json={"title": "Edited"}, headers=bearer(author), timeout=60)  # noqa: E731
        (deleted, _), *patched = responses_at_once([delete, *[patch] * 8])
        assert deleted == 204
        assert {status for status, _ in patched} <= {200, 404}, patched
        assert requests.get(url, timeout=10).status_code == 404, "the deleted post stays deleted"


def test_a_block_racing_the_other_sides_follow_like_comment_and_message_leaves_nothing_between_them_outcome_only(
        server, live_database_url):
    """A blocks B while B follows A, likes and comments on A's post and messages A, five times
    over: no 5xx; each of B's writes either landed before the block (and the block removed what
    it must) or was refused after it; no follow and no notification between them survives."""
    for _ in range(5):
        alice, bob = sign_up(server), sign_up(server)
        alice_id = alice["user"]["pk"]
        target = new_post(server, alice)
        block = post(server, "/blocks/", alice, {"blocked": bob["user"]["pk"]})
        writes = [
            post(server, "/followers/", bob, {"followed": alice_id}),
            post(server, "/likes/", bob, {"post": target["id"]}),
            post(server, "/comments/", bob, {"post": target["id"], "content": "Before you go"}),
            post(server, f"/messages/{alice_id}/send/", bob, {"content": "Wait!"}),
        ]
        (blocked, _), *written = responses_at_once([block, *writes])
        assert blocked == 201
        allowed = [{201, 403}, {201, 400}, {201, 400}, {201, 403}]
        for (status, body), expected in zip(written, allowed, strict=True):
            assert status in expected, (status, body)
        for session in (alice, bob):
            follows = requests.get(f"{server}/followers/", params={"owner": session["user"]["pk"]},
                                   headers=bearer(session), timeout=10).json()
            assert follows["count"] == 0
            assert requests.get(f"{server}/notifications/", headers=bearer(session), timeout=10).json()["count"] == 0
        with psycopg.connect(live_database_url) as database:  # the server's rows, not only what the API shows
            cursor = database.execute(
                "SELECT (SELECT COUNT(*) FROM followers_follower WHERE owner_id IN (%(a)s, %(b)s) "
                "AND followed_id IN (%(a)s, %(b)s)), (SELECT COUNT(*) FROM notifications_notification "
                "WHERE recipient_id IN (%(a)s, %(b)s) AND actor_id IN (%(a)s, %(b)s))",
                {"a": alice_id, "b": bob["user"]["pk"]},
            )
            assert cursor.fetchone() == (0, 0)


def test_an_account_deleted_while_others_like_comment_follow_and_message_it_leaves_nothing_outcome_only(
        server, live_database_url):
    """A user deletes their account while four others each follow them, like and comment on their
    post and message them, three times over: no 5xx; every write either landed before the
    deletion (and went with it) or was refused after it; no row anywhere names the account."""
    fans = [sign_up(server) for _ in range(4)]
    for _ in range(3):
        gone = sign_up(server)
        gone_id = gone["user"]["pk"]
        target = new_post(server, gone)
        delete = lambda gone=gone: requests.delete(  # noqa: E731
            f"{server}/dj-rest-auth/user/", json={"password": gone["password"]}, headers=bearer(gone), timeout=60)
        writes = []
        for fan in fans:
            writes += [
                post(server, "/followers/", fan, {"followed": gone_id}),
                post(server, "/likes/", fan, {"post": target["id"]}),
                post(server, "/comments/", fan, {"post": target["id"], "content": "Don't go"}),
                post(server, f"/messages/{gone_id}/send/", fan, {"content": "Stay!"}),
            ]
        (deleted, _), *written = responses_at_once([delete, *writes])
        assert deleted == 204
        for status, body in written:
            assert status in {201, 400, 404}, (status, body)
        assert requests.post(f"{server}/dj-rest-auth/login/", json={
            "username": gone["user"]["username"], "password": gone["password"]}, timeout=10).status_code == 400
        with psycopg.connect(live_database_url) as database:
            cursor = database.execute(
                "SELECT (SELECT COUNT(*) FROM users_user WHERE id = %(u)s)"
                " + (SELECT COUNT(*) FROM posts_post WHERE owner_id = %(u)s OR id = %(p)s)"
                " + (SELECT COUNT(*) FROM followers_follower WHERE owner_id = %(u)s OR followed_id = %(u)s)"
                " + (SELECT COUNT(*) FROM likes_like WHERE owner_id = %(u)s OR post_id = %(p)s)"
                " + (SELECT COUNT(*) FROM comments_comment WHERE owner_id = %(u)s OR post_id = %(p)s)"
                " + (SELECT COUNT(*) FROM messaging_message WHERE sender_id = %(u)s OR recipient_id = %(u)s)"
                " + (SELECT COUNT(*) FROM notifications_notification WHERE recipient_id = %(u)s OR actor_id = %(u)s"
                "    OR post_id = %(p)s)"
                " + (SELECT COUNT(*) FROM profiles_profile WHERE owner_id = %(u)s)",
                {"u": gone_id, "p": target["id"]},
            )
            assert cursor.fetchone() == (0,)
