"""Reads from a real streaming replica (drf_api/replicas.py), through gunicorn on PostgreSQL.

The replica is made of the test run's own PostgreSQL server by pg_basebackup (streaming, a second
port), so it holds the live server's database. Its replay can be paused, which makes its lag
visible on purpose: what a writer reads at once comes from the primary; what others read may come
from the lagging replica; stopping the replica sends every read to the primary, with no error.
The server checks the replica only every 30 s here, so it is the request whose replica fails in
the middle, answered again from the primary, that proves the last point.
"""
import time

import psycopg
import pytest
import requests
from django.db import connection

from testing.servers import (
    bearer,
    gunicorn_server,
    pg_bin,
    replica_url,
    server_env,
    sign_up,
    streaming_replica,
)

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="replicas are PostgreSQL's"),
]


def on_replica(url, sql):
    with psycopg.connect(url, autocommit=True) as replica:
        return replica.execute(sql).fetchall()


def test_writers_read_their_writes_others_may_read_a_lagging_replica_and_a_stopped_one_costs_nothing(
        live_database_url):
    if pg_bin() is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    primary = connection.settings_dict
    with streaming_replica(primary["HOST"], primary["PORT"], primary["USER"]) as (port, stop_replica):
        replica = replica_url(live_database_url, port)
        env = server_env(live_database_url, DATABASE_REPLICA_URLS=replica, READ_YOUR_WRITES_SECONDS="2",
                         REPLICA_CHECK_SECONDS="30")
        with gunicorn_server(env, workers=2) as base:
            alice, bob = sign_up(base, "writer"), sign_up(base, "reader")
            deadline = time.monotonic() + 20
            while not on_replica(replica, f"SELECT 1 FROM users_user WHERE id = {bob['user']['pk']}"):
                assert time.monotonic() < deadline, "the replica never replayed the sign-up"
                time.sleep(0.1)
            time.sleep(2.1)  # the sign-up was a write: let its read-your-own-writes window pass
            listed = requests.get(f"{base}/posts/", timeout=10)
            assert listed.headers.get("X-Read-From") == "replica_1", (listed.status_code, listed.headers)
            assert float(listed.headers["X-Replica-Lag"]) >= 0

            # The replica stops replaying: from now on it lags behind, visibly.
            on_replica(replica, "SELECT pg_wal_replay_pause()")
            created = requests.post(f"{base}/posts/", json={"title": "Fresh"}, headers=bearer(alice), timeout=10)
            assert created.status_code == 201 and created.headers["X-Read-From"] == "primary"
            post_id = created.json()["id"]
            mine = requests.get(f"{base}/posts/{post_id}/", headers=bearer(alice), timeout=10)
            assert (mine.status_code, mine.headers["X-Read-From"]) == (200, "primary")  # read-your-own-writes
            theirs = requests.get(f"{base}/posts/{post_id}/", timeout=10)
            assert (theirs.status_code, theirs.headers["X-Read-From"]) == (404, "replica_1")  # not there yet
            # What the socket pushes, a catch-up after a reconnect finds at once: from the primary.
            sent = requests.post(f"{base}/messages/{bob['user']['pk']}/send/", json={"content": "Hi"},
                                 headers=bearer(alice), timeout=10)
            assert sent.status_code == 201
            thread = f"{base}/messages/{alice['user']['pk']}/"
            listed = requests.get(thread, headers=bearer(bob), timeout=10)
            assert (listed.json()["results"], listed.headers["X-Read-From"]) == ([], "replica_1")
            caught_up = requests.get(f"{thread}?after=0", headers=bearer(bob), timeout=10)
            assert caught_up.headers["X-Read-From"] == "primary"
            assert [message["id"] for message in caught_up.json()["results"]] == [sent.json()["id"]]
            time.sleep(2.1)
            later = requests.get(f"{base}/posts/", headers=bearer(alice), timeout=10)
            assert later.headers["X-Read-From"] == "replica_1"  # the window passed: the writer reads the replica
            on_replica(replica, "SELECT pg_wal_replay_resume()")
            deadline = time.monotonic() + 20
            while requests.get(f"{base}/posts/{post_id}/", timeout=10).status_code != 200:
                assert time.monotonic() < deadline, "the replica never caught up"
                time.sleep(0.1)

            # The replica goes away: every read is answered, from the primary.
            stop_replica()
            answers = [requests.get(f"{base}/posts/{post_id}/", timeout=10) for _ in range(10)]
            assert [answer.status_code for answer in answers] == [200] * 10
            assert {answer.headers["X-Read-From"] for answer in answers} == {"primary"}
