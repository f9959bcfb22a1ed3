"""make load: the API scaled out (testing/cluster.py) under 200 simulated users for 5 minutes,
through nginx, while every process is restarted one by one and two are killed.

A benchmark with a verdict: it prints p50/p95/p99 and req/s per endpoint (and writes them to
bench/results/load.json), and fails when the system did not behave as one:
- an HTTP request failed (5xx, or no answer) other than those a `web` process held at the
  instant it was killed (at most one per worker, plus those waiting in its accept queue);
- a write the API acknowledged is not in the database, or a like or comment on another's post
  is there without its notification (a half-done write);
- a message to a user never reached them (pushed on the socket, or caught up after a reconnect),
  or the socket pushed one twice; or no socket reconnected though its process was restarted.

Users pause 1 to 5 s between actions. Timeline (fractions of the run): at 0.2 a rolling restart
of every process, one at a time (out of nginx's rotation, SIGTERM, the replacement on the same
port, back in); at 0.6 `kill -9` of a `web` process, at 0.75 of the `live` one holding the
sockets (each started again at once). The users are made in the database before the run
(signing 200 people up from one address is what throttles are for).
`--smoke` (part of make test): 20 users for 45 s, restarting one process of each kind.
`--curve` (docs/SCALING.md): the mix without chaos and with pauses of 0 to 0.5 s, at 1, 2 and 3
`web` processes.
"""
import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testing import BASE_DIR
from testing.cluster import Cluster
from testing.servers import manage, many_users

RESULTS = BASE_DIR / "bench" / "results"

# Run by manage.py shell in the cluster's environment, for the users of testing.servers.many_users:
# two posts each, and each follows the five after it.
SETUP = """
import json
from followers.models import Follower
from posts.models import Post

ids = {ids}
for number, user_id in enumerate(ids):
    for step in range(1, 6):
        Follower.objects.create(owner_id=user_id, followed_id=ids[(number + step) % len(ids)])
print(json.dumps({{user_id: [Post.objects.create(owner_id=user_id, title=f"Post {{number}}.{{n}}").id for n in range(2)]
                  for number, user_id in enumerate(ids)}}))
"""


def make_users(cluster, count):
    people = many_users(cluster.env, count, f"load{uuid.uuid4().hex[:6]}")  # a new name each run
    result = manage("shell", "-c", SETUP.format(ids=[person["id"] for person in people]), env=cluster.env)
    assert result.returncode == 0, result.stdout + result.stderr
    posts = json.loads(result.stdout.strip().splitlines()[-1])
    return [{**person, "posts": posts[str(person["id"])]} for person in people]


def tcp_on_port(port):
    """From the kernel's table (/proc/net/tcp): the connections established to `port`, and how many
    wait in its listening socket's accept queue (taken by the kernel, not yet by a worker)."""
    established = queued = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) != port:
            continue
        if fields[3] == "01":
            established += 1
        elif fields[3] == "0A":
            queued += int(fields[4].split(":")[1], 16)
    return established, queued


def chaos(cluster, duration, started, log, smoke):
    """The restarts and kills of the timeline, each logged with its start and end times; a kill
    also logs what the process held at that instant (its workers' requests, its accept queue)."""

    def at(fraction):
        time.sleep(max(0.0, started + fraction * duration - time.time()))

    web, live = cluster.of_kind("web"), cluster.of_kind("live")
    at(0.2)
    for process in ([web[0], live[0]] if smoke else cluster.processes):
        began = time.time()
        cluster.restart(process)
        log.append({"event": "restart", "process": process.name, "began": began, "ended": time.time()})
    for fraction, victim in ((0.6, web[-1]), (0.75, None)):
        at(fraction)
        # The `live` process holding the most sockets (they do not move back after a restart).
        victim = victim or max(live, key=lambda process: tcp_on_port(process.port)[0])
        sockets, queued = tcp_on_port(victim.port)
        began = time.time()
        gone = cluster.kill(victim)
        log.append({"event": "kill -9", "process": victim.name, "port": victim.port, "began": began, "gone": gone,
                    "ended": time.time(), "connections": sockets, "accept_queue": queued})


ROLES = {"locust": "locust", "web": "drf_api.wsgi", "live": "drf_api.asgi", "postgres": "postgres",
         "nginx": "nginx", "redis": "redis-server"}


def cpu_seconds_by_role():
    """CPU seconds (user and system) used so far by the running processes of each role on this
    machine (a process's seconds go with it when it exits: bench/load.py samples locust's before)."""
    used = dict.fromkeys(ROLES, 0.0)
    for process in psutil.process_iter(["cmdline", "name", "cpu_times"]):
        text = " ".join(process.info["cmdline"] or []) + " " + (process.info["name"] or "")
        role = next((role for role, mark in ROLES.items() if mark in text), None)
        if role and process.info["cpu_times"]:
            used[role] += process.info["cpu_times"].user + process.info["cpu_times"].system
    return used


def run_locust(cluster, people, users, seconds, folder, wait):
    (folder / "people.json").write_text(json.dumps(people))
    env = {**os.environ, "LOAD_USERS": str(folder / "people.json"), "LOAD_RESULTS": str(folder / "results.json"),
           "LOAD_WAIT": wait}
    command = [sys.executable, "-m", "locust", "-f", str(BASE_DIR / "bench" / "locustfile.py"), "--headless",
               "--users", str(users), "--spawn-rate", str(max(1, users // 10)), "--run-time", f"{seconds}s",
               "--stop-timeout", "40", "--host", cluster.url, "--csv", str(folder / "locust"), "--only-summary",
               "--loglevel", "WARNING"]
    return subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=open(folder / "locust.log", "w"),
                            stderr=subprocess.STDOUT)


def endpoint_figures(folder, seconds):
    rows = [row for row in csv.DictReader(open(folder / "locust_stats.csv")) if row["50%"] != "N/A"]  # noqa: SIM115
    return {
        f"{row['Type']} {row['Name']}".strip(): {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": round(int(row["Request Count"]) / seconds, 1), "p50": float(row["50%"]),
            "p95": float(row["95%"]), "p99": float(row["99%"]),
        }
        for row in rows
    }


def database_figures(database_url, people, acked):
    """What the database holds of the run: the writes, those acknowledged and missing, and the
    likes and comments on others' posts that lack their notification."""
    ids = [person["id"] for person in people]
    tables = {"posts": "posts_post", "comments": "comments_comment", "likes": "likes_like"}
    with psycopg.connect(database_url) as database:
        def present(sql):
            return {row[0] for row in database.execute(sql, (ids,)).fetchall()}

        stored = {kind: present(f"SELECT id FROM {table} WHERE owner_id = ANY(%s)") for kind, table in tables.items()}
        stored["messages"] = present("SELECT id FROM messaging_message WHERE sender_id = ANY(%s)")
        missing_notifications = {
            kind: database.execute(
                f"SELECT count(*) FROM {table} AS row JOIN posts_post AS post ON post.id = row.post_id "
                f"WHERE row.owner_id = ANY(%s) AND post.owner_id <> row.owner_id AND NOT EXISTS "
                f"(SELECT 1 FROM notifications_notification AS n WHERE n.{kind[:-1]}_id = row.id)", (ids,),
            ).fetchone()[0]
            for kind, table in (("comments", "comments_comment"), ("likes", "likes_like"))
        }
        to_people = database.execute(
            "SELECT recipient_id, id FROM messaging_message WHERE sender_id = ANY(%s)", (ids,)
        ).fetchall()
    seeded = {post for person in people for post in person["posts"]}
    writes = {
        kind: {"acknowledged": len(acked[kind]), "lost": len(set(acked[kind]) - stored[kind]),
               "stored_unacknowledged": len(stored[kind] - set(acked[kind]) - (seeded if kind == "posts" else set()))}
        for kind in acked
    }
    return writes, missing_notifications, to_people


def socket_figures(sockets, to_people, chaos_log):
    expected = {}
    for recipient, message in to_people:
        expected.setdefault(recipient, set()).add(message)
    lost = duplicated = overlap = reconnected = caught = 0
    for socket in sockets:
        pushed = {int(key): count for key, count in socket["pushed"].items()}
        duplicated += sum(count - 1 for count in pushed.values())
        caught += len(set(socket["caught_up"]) - set(pushed))
        overlap += len(set(socket["caught_up"]) & set(pushed))
        lost += len(expected.get(socket["user"], set()) - set(pushed) - set(socket["caught_up"]))
        reconnected += socket["connects"] > 1
    restarts = [event for event in chaos_log if "live" in event["process"]]
    return {"sockets": len(sockets), "messages": len(to_people), "lost": lost, "pushed_twice": duplicated,
            "reconnected": reconnected, "caught_up_only": caught, "delivered_both_ways": overlap,
            "closes": dict(sum((Counter(socket["closes"]) for socket in sockets), Counter())),
            "live_process_events": len(restarts)}


def judge_failures(failures, chaos_log, nginx_log):
    """The failures in flight in a killed `web` process, and all the others. In flight: started
    before the process was gone (its port closed) and answered after the kill, a request nginx had
    sent it (a GET that fails there nginx passes to another process, never a POST: it may have been
    done); nginx's error log names that process's port for each. What it held when the kill began
    (a request per busy worker, its accept queue) is logged with the kill, for comparison."""
    kills = [event for event in chaos_log if event["event"] == "kill -9" and event["process"].startswith("web")]
    in_flight = [f for f in failures if any(f["started"] <= k["gone"] and f["ended"] >= k["began"] for k in kills)]
    others = [f for f in failures if f not in in_flight]
    log = nginx_log.read_text() if nginx_log.exists() else ""
    named = sum(len(re.findall(rf"(reset by peer|prematurely closed)[^\n]*upstream: \"http://127\.0\.0\.1:{k['port']}/",
                               log)) for k in kills)
    return in_flight, others, named


def load(args):
    folder = Path(tempfile.mkdtemp(prefix="drf_api-load-"))
    cluster = Cluster(os.environ["DATABASE_URL"], web=args.web, live=args.live, web_workers=args.web_workers,
                      state_dir=folder, JWT_ACCESS_MINUTES="180")
    chaos_log = []
    with cluster.running():
        people = make_users(cluster, args.users)
        started, cpu_before = time.time(), cpu_seconds_by_role()
        locust = run_locust(cluster, people, args.users, args.seconds, folder, args.wait)
        if args.chaos:
            driver = threading.Thread(target=chaos, args=(cluster, args.seconds, started, chaos_log, args.smoke))
            driver.start()
            driver.join()
        deadline, locust_cpu = time.monotonic() + args.seconds + 180, 0.0
        while locust.poll() is None and time.monotonic() < deadline:  # locust's CPU, sampled while it runs
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(locust.pid).cpu_times()
                locust_cpu = times.user + times.system
            time.sleep(0.5)
        locust.wait(timeout=10)
        cpu = {role: round(used - cpu_before[role], 1) for role, used in cpu_seconds_by_role().items()}
        cpu["locust"] = round(locust_cpu, 1)
        results = json.loads((folder / "results.json").read_text())
        writes, missing_notifications, to_people = database_figures(cluster.database_url, people, results["acked"])
    endpoints = endpoint_figures(folder, args.seconds)
    in_flight, other_failures, named = judge_failures(results["failures"], chaos_log, folder / "error.log")
    sockets = socket_figures(results["sockets"], to_people, chaos_log)
    figures = {
        "users": args.users, "seconds": args.seconds, "web": args.web, "live": args.live,
        "web_workers": args.web_workers, "endpoints": endpoints, "chaos": [
            {**event, "seconds": round(event["ended"] - event["began"], 1)} for event in chaos_log
        ],
        "failures_in_flight_at_kill": len(in_flight), "failed_at_killed_port_by_nginx": named,
        "other_failures": other_failures[:20], "other_failure_count": len(other_failures),
        "unexpected_4xx": results["unexpected"], "writes": writes, "missing_notifications": missing_notifications,
        "sockets": sockets, "reads_from": results["read_from"], "cpu_seconds": cpu,
        "locust_log": str(folder / "locust.log"),
    }
    return figures


def report(figures):
    print(f"{figures['users']} users, {figures['seconds']} s, {figures['web']} web ({figures['web_workers']} "  # noqa: T201
          f"workers each) + {figures['live']} live processes behind nginx")
    print(f"{'endpoint':48} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'failed':>6}")  # noqa: T201
    for name, row in figures["endpoints"].items():
        print(f"{name:48} {row['requests']:>8} {row['rps']:>7} {row['p50']:>6.0f} {row['p95']:>6.0f} "  # noqa: T201
              f"{row['p99']:>6.0f} {row['failures']:>6}")
    for event in figures["chaos"]:
        held = ""
        if "connections" in event:
            held = f" (held {event['connections']} connections, {event['accept_queue']} queued)"
        print(f"{event['event']} {event['process']}: {event['seconds']} s{held}")  # noqa: T201
    print(f"failed requests in flight at a kill: {figures['failures_in_flight_at_kill']} (nginx's log names the "  # noqa: T201
          f"killed process for {figures['failed_at_killed_port_by_nginx']}); other failed requests: "
          f"{figures['other_failure_count']}; unexpected 4xx: {figures['unexpected_4xx']}")
    print(f"writes: {figures['writes']}; likes/comments without their notification: "  # noqa: T201
          f"{figures['missing_notifications']}")
    print(f"sockets: {figures['sockets']}")  # noqa: T201
    print(f"the users' reads were read from: {figures['reads_from']}")  # noqa: T201
    print(f"CPU seconds used meanwhile, by role: {figures['cpu_seconds']}")  # noqa: T201


def verdict(figures):
    problems = []
    if figures["other_failure_count"]:
        problems.append(f"{figures['other_failure_count']} failed requests outside a kill: {figures['other_failures']}")
    if figures["failures_in_flight_at_kill"] > figures["failed_at_killed_port_by_nginx"]:
        problems.append("failures at a kill that nginx did not have in flight in the killed process")
    if figures["unexpected_4xx"]:
        problems.append(f"unexpected 4xx answers: {figures['unexpected_4xx']}")
    if any(write["lost"] for write in figures["writes"].values()):
        problems.append("acknowledged writes are missing from the database")
    if any(figures["missing_notifications"].values()):
        problems.append("likes or comments without their notification (half-done writes)")
    sockets = figures["sockets"]
    if sockets["lost"] or sockets["pushed_twice"]:
        problems.append("messages lost or pushed twice on the sockets")
    if figures["chaos"] and not sockets["reconnected"]:
        problems.append("no socket reconnected, though live processes were restarted and killed")
    if not all(write["acknowledged"] for write in figures["writes"].values()):
        problems.append("a kind of write never succeeded")
    return problems


def curve(args):
    """The mix without chaos at 1, 2 and 3 web processes, its users pausing only 0 to 0.5 s: as
    many requests as the cluster takes, and their latency (docs/SCALING.md)."""
    rows = {}
    for web in (1, 2, 3):
        args.web, args.chaos, args.wait = web, False, "0,0.5"
        figures = load(args)
        aggregated = figures["endpoints"]["Aggregated"]
        total = aggregated["requests"]
        shutil.rmtree(Path(figures["locust_log"]).parent, ignore_errors=True)
        rows[web] = {"rps": round(total / args.seconds, 1), "p50": aggregated["p50"], "p95": aggregated["p95"],
                     "p99": aggregated["p99"], "failed": figures["other_failure_count"],
                     "reads_from": figures["reads_from"], "cpu_seconds": figures["cpu_seconds"]}
        print(f"{web} web process(es): {rows[web]}", flush=True)  # noqa: T201
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--curve", action="store_true")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--web", type=int, default=3)
    parser.add_argument("--live", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--curve-seconds", type=int, default=90)
    parser.add_argument("--no-chaos", action="store_true", help="no restarts and kills: the steady state")
    args = parser.parse_args()
    args.chaos, args.wait = not args.no_chaos, "1,5"
    if args.smoke:
        args.users, args.seconds = 20, 45
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.curve:
        args.seconds = args.curve_seconds
        rows = curve(args)
        (RESULTS / "load-curve.json").write_text(json.dumps(rows, indent=2) + "\n")
        return
    figures = load(args)
    name = "load-smoke.json" if args.smoke else "load.json" if args.chaos else "load-steady.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2) + "\n")
    report(figures)
    problems = verdict(figures)
    if problems:
        sys.exit(f"make load: {'; '.join(problems)} (logs in {Path(figures['locust_log']).parent})")
    shutil.rmtree(Path(figures["locust_log"]).parent, ignore_errors=True)
    print(f"written to {(RESULTS / name).relative_to(BASE_DIR)}")  # noqa: T201


if __name__ == "__main__":
    main()
