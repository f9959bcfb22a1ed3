"""make bench-live: how fast the socket delivers, what an idle socket costs, and what ASGI costs REST.

A benchmark, not a test: it prints figures (and writes them to bench/results/live.json) and
fails only if something does not work at all. It needs DATABASE_URL (make bench-live runs it
inside scripts/with-postgres.sh), Debian's redis-server and wrk.

1. Delivery latency: A sends B 500 messages through server process one (REST), B's socket is on
   process two, Redis in between; from the start of each POST to the event on B's socket.
2. 10,000 idle sockets on one worker (1,000 users with 10 each): the worker's memory per socket,
   and the latency above while they are held (the worker raises its own limit on open files:
   drf_api/gunicorn_live.py).
3. Fan-out: what one message costs the database when its recipient has 1 and 10 tabs open on
   one process (table reads from pg_stat_user_tables, the REST send included): the tabs share
   one rendering, so 10 tabs cost what 1 does.
4. REST throughput of GET /posts/ (wrk, 32 connections, 10 s) under the ASGI worker (the
   Procfile's `live`), as a ratio to its WSGI workers (`web`), in the same run.
"""
import asyncio
import json
import multiprocessing
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from websockets.asyncio.client import connect as connect_async
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drf_api import gunicorn_web
from drf_api.gunicorn_live import raise_open_files_limit
from testing import BASE_DIR
from testing.servers import (
    bearer,
    gunicorn_pids,
    gunicorn_server,
    live_query,
    manage,
    many_users,
    server_env,
    sign_up,
    socket_url,
    two_live_servers,
)

MESSAGES = 500
# (total ms, of which the REST POST, message number) of every delivery of the latest measurement.
SLOWEST = []
IDLE_SOCKETS = 10_000
IDLE_USERS = 1_000
FANOUT_EVENTS = 5
RESULTS = BASE_DIR / "bench" / "results" / "live.json"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def delivery_latencies(sender_base, listener_base, alice, bob, count):
    """Milliseconds from the start of each REST send to its event on the partner's socket."""
    latencies = []
    with connect(socket_url(listener_base, bob)) as socket, requests.Session() as http:
        url = f"{sender_base}/messages/{bob['user']['pk']}/send/"
        for number in range(count):
            started = time.perf_counter()
            response = http.post(url, json={"content": f"ping {number}"}, headers=bearer(alice), timeout=10)
            response.raise_for_status()
            posted = time.perf_counter()
            while True:
                event = json.loads(socket.recv(timeout=10))
                if event["type"] == "message.created" and event["data"]["id"] == response.json()["id"]:
                    break
            latencies.append((time.perf_counter() - started) * 1000)
            SLOWEST.append(((time.perf_counter() - started) * 1000, (posted - started) * 1000, number))
    return latencies


def rss_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def hold_idle_sockets(urls, ready, release):
    """In a process of its own (so that answering 10,000 sockets' pings does not slow the measuring
    client): open a socket at each of `urls`, say so, and hold them until released."""
    raise_open_files_limit()

    async def hold():
        sockets = []
        for start in range(0, len(urls), 200):
            sockets += await asyncio.gather(*(connect_async(url) for url in urls[start:start + 200]))
        ready.set()
        while not release.is_set():
            await asyncio.sleep(0.1)
        await asyncio.gather(*(socket.close() for socket in sockets))

    asyncio.run(hold())


def throughput(base_url):
    """wrk's requests per second on GET /posts/."""
    output = subprocess.run(
        ["wrk", "-t2", "-c32", "-d10s", f"{base_url}/posts/"], capture_output=True, text=True, check=True
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def table_reads(database_url):
    """How many times the live database's tables have been scanned (sequentially or by an index),
    once every backend has reported: PostgreSQL 15 flushes a backend's statistics within 10 s of it
    going idle."""
    time.sleep(11)
    return live_query(database_url, "SELECT sum(seq_scan + COALESCE(idx_scan, 0)) FROM pg_stat_user_tables")[0][0]


def fanout_reads(base_url, database_url, alice, bob, tabs, events=FANOUT_EVENTS):
    """Table reads per message alice sends bob while bob holds `tabs` sockets on one process."""
    sockets = [connect(socket_url(base_url, bob)) for _ in range(tabs)]
    try:
        before = table_reads(database_url)
        for number in range(events):
            sent = requests.post(f"{base_url}/messages/{bob['user']['pk']}/send/", json={"content": f"fan {number}"},
                                 headers=bearer(alice), timeout=10).json()
            for socket in sockets:
                while json.loads(socket.recv(timeout=10))["data"].get("id") != sent["id"]:
                    pass
        return float(table_reads(database_url) - before) / events
    finally:
        for socket in sockets:
            socket.close()


def main():
    import os

    database_url = os.environ["DATABASE_URL"]
    env = server_env(database_url)
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = {}
    with two_live_servers(database_url) as (one, two):
        alice, bob = sign_up(one, "bench_alice"), sign_up(one, "bench_bob")
        # The idle sockets are other users': idle, they receive none of the measured events.
        idle_urls = [socket_url(two, {"access_token": user["access"]})
                     for user in many_users(env, IDLE_USERS, "bench_idle")
                     for _ in range(IDLE_SOCKETS // IDLE_USERS)]
        for number in range(30):
            requests.post(f"{one}/posts/", json={"title": f"Bench {number}"}, headers=bearer(alice), timeout=10)

        latencies = delivery_latencies(one, two, alice, bob, MESSAGES)
        figures["delivery_ms"] = {
            "messages": MESSAGES, "median": statistics.median(latencies), "p99": percentile(latencies, 0.99)
        }

        port_two = two.rsplit(":", 1)[1]
        (worker,) = gunicorn_pids(port_two)[1]
        before = rss_kib(worker)
        ready, release = multiprocessing.Event(), multiprocessing.Event()
        holder = multiprocessing.Process(
            target=hold_idle_sockets, args=(idle_urls, ready, release)
        )
        started = time.perf_counter()
        holder.start()
        assert ready.wait(900), "the idle sockets did not all connect"
        connect_seconds = time.perf_counter() - started
        time.sleep(1)
        after = rss_kib(worker)
        SLOWEST.clear()
        loaded = delivery_latencies(one, two, alice, bob, 200)
        release.set()
        holder.join()
        # The worker forgets each closed socket (a row of the registry) before the next row's
        # figures count table reads; and gunicorn would not wait that long for it to stop.
        closing = time.perf_counter()
        while live_query(database_url, "SELECT count(*) FROM realtime_opensocket")[0][0]:
            assert time.perf_counter() - closing < 600, "the idle sockets were never all closed"
            time.sleep(0.5)
        close_seconds = time.perf_counter() - closing
        figures["idle_sockets"] = {
            "sockets": IDLE_SOCKETS, "users": IDLE_USERS, "seconds_to_connect": round(connect_seconds, 1),
            "seconds_to_close": round(close_seconds, 1),
            "worker_rss_mib_before": round(before / 1024, 1),
            "worker_rss_mib_after": round(after / 1024, 1),
            "kib_per_socket": round((after - before) / IDLE_SOCKETS, 1),
            "delivery_ms_median": statistics.median(loaded),
            "delivery_ms_p99": percentile(loaded, 0.99),
            "slowest_deliveries": [
                {"total_ms": round(total, 1), "post_ms": round(post, 1), "message": number}
                for total, post, number in sorted(SLOWEST)[-5:]
            ],
        }

    # Fan-out: one user with 1 and with 10 tabs open on one process; what each message costs the
    # database, its REST send included (the difference is what the tabs cost).
    with gunicorn_server(env, workers=1, live=True) as live:
        alice, bob = sign_up(live, "fan_alice"), sign_up(live, "fan_bob")
        one_tab, ten_tabs = (fanout_reads(live, database_url, alice, bob, tabs) for tabs in (1, 10))
    figures["fanout_table_reads_per_event"] = {"one_tab": one_tab, "ten_tabs": ten_tabs}

    with gunicorn_server(env, workers=2, live=True) as asgi:
        asgi_rps = throughput(asgi)
    with gunicorn_server(env, workers=gunicorn_web.workers) as wsgi:  # as the Procfile runs it
        wsgi_rps = throughput(wsgi)
    figures["rest_posts_rps"] = {"asgi": asgi_rps, "wsgi": wsgi_rps, "ratio": round(asgi_rps / wsgi_rps, 2)}

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    delivery, idle, rest = figures["delivery_ms"], figures["idle_sockets"], figures["rest_posts_rps"]
    print(f"delivery, {MESSAGES} messages across two processes via Redis: "  # noqa: T201
          f"median {delivery['median']:.1f} ms, p99 {delivery['p99']:.1f} ms")
    print(f"{IDLE_SOCKETS} idle sockets on one worker (connected in {idle['seconds_to_connect']} s): "  # noqa: T201
          f"{idle['kib_per_socket']} KiB each "
          f"({idle['worker_rss_mib_before']} -> {idle['worker_rss_mib_after']} MiB); delivery meanwhile "
          f"median {idle['delivery_ms_median']:.1f} ms, p99 {idle['delivery_ms_p99']:.1f} ms")
    print(f"GET /posts/: ASGI {rest['asgi']:.0f} req/s, WSGI {rest['wsgi']:.0f} req/s, "  # noqa: T201
          f"ratio {rest['ratio']}")
    fanout = figures["fanout_table_reads_per_event"]
    print(f"one user's message with 1 tab open: {fanout['one_tab']:.1f} table reads, "  # noqa: T201
          f"with 10 tabs: {fanout['ten_tabs']:.1f} (the send included)")
    print(f"written to {RESULTS.relative_to(BASE_DIR)}")  # noqa: T201
    print(f"slowest deliveries with the idle sockets connected: {idle['slowest_deliveries']}")  # noqa: T201


if __name__ == "__main__":
    main()
