"""make bench-accounts: what a large account's export and deletion cost, and what a slow mail
server does to the password reset's timing. A benchmark: it prints figures (and writes them to
bench/results/accounts.json) and fails only if something does not work at all. It needs
DATABASE_URL (make bench-accounts runs it inside scripts/with-postgres.sh).

1. Export: an account with 10,000 posts and 50,000 messages (sent and received) downloads its
   export from one gunicorn sync worker; the worker's peak resident memory (VmHWM) before and
   after, the bytes, the seconds.
2. Deletion of that account: seconds, and the worker's peak memory again.
3. Reset timing: the SMTP server holds every mail 2 s; POST /dj-rest-auth/password/reset/ for a
   known and an unknown address, alternately; median and p95 of each, in ms.

`--smoke` (part of make test) does the same with 200 posts, 1,000 messages and 20 resets.
"""
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import percentile
from testing import BASE_DIR
from testing.servers import bearer, gunicorn_pids, gunicorn_server, manage, server_env, sign_up
from testing.smtp import smtp_server

RESULTS = BASE_DIR / "bench" / "results" / "accounts.json"


def peak_kib(pid):
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def fill(database_url, user_id, partner_id, posts, messages):
    """`posts` posts of the user and `messages` messages between the two, half each way, by COPY."""
    with psycopg.connect(database_url) as database, database.cursor() as cursor:
        with cursor.copy("COPY posts_post (owner_id, title, content, image, image_filter, created_at, updated_at) "
                         "FROM STDIN") as copy:
            for number in range(posts):
                copy.write_row((user_id, f"Post {number}", "Words " * 20, "", "normal", "now", "now"))
        with cursor.copy('COPY messaging_message (sender_id, recipient_id, content, image, timestamp, "read") '
                         "FROM STDIN") as copy:
            for number in range(messages):
                pair = (user_id, partner_id) if number % 2 else (partner_id, user_id)
                copy.write_row((*pair, f"Message {number}", "", "now", False))


def timed_resets(base, known, unknown, count):
    """Milliseconds of each reset request, by address kind, alternating."""
    times = {"known": [], "unknown": []}
    with requests.Session() as http:
        for number in range(count):
            kind = "known" if number % 2 else "unknown"
            started = time.perf_counter()
            response = http.post(f"{base}/dj-rest-auth/password/reset/",
                                 json={"email": known if kind == "known" else unknown}, timeout=30)
            times[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return {kind: {"median": round(statistics.median(values), 2), "p95": round(percentile(values, 0.95), 2)}
            for kind, values in times.items()}


def main():
    smoke = "--smoke" in sys.argv
    posts, messages, resets = (200, 1000, 20) if smoke else (10_000, 50_000, 200)
    database_url = os.environ["DATABASE_URL"]
    env = server_env(database_url)
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = {"posts": posts, "messages": messages}
    with smtp_server() as (smtp_port, mailbox):
        mailbox.delay = 2
        env = server_env(database_url, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", EMAIL_TIMEOUT="30")
        with gunicorn_server(env, workers=1) as base:
            (worker,) = gunicorn_pids(base.rsplit(":", 1)[1])[1]
            owner, partner = sign_up(base, "bench_owner"), sign_up(base, "bench_partner")
            fill(database_url, owner["user"]["pk"], partner["user"]["pk"], posts, messages)
            requests.get(f"{base}/dj-rest-auth/user/", headers=bearer(owner), timeout=10).raise_for_status()
            before = peak_kib(worker)
            started, size = time.perf_counter(), 0
            with requests.get(f"{base}/dj-rest-auth/user/export/", headers=bearer(owner), stream=True,
                              timeout=600) as response:
                response.raise_for_status()
                body = b"".join(response.iter_content(1 << 16))
                size = len(body)
            exported = json.loads(body)
            assert (len(exported["posts"]), len(exported["messages"])) == (posts, messages)
            figures["export"] = {
                "seconds": round(time.perf_counter() - started, 2), "mib": round(size / 2**20, 1),
                "worker_peak_rss_mib_before": round(before / 1024, 1),
                "worker_peak_rss_mib_after": round(peak_kib(worker) / 1024, 1),
            }
            del body, exported

            started = time.perf_counter()
            deleted = requests.delete(f"{base}/dj-rest-auth/user/", json={"password": owner["password"]},
                                      headers=bearer(owner), timeout=600)
            assert deleted.status_code == 204, deleted.text
            figures["delete"] = {"seconds": round(time.perf_counter() - started, 2),
                                 "worker_peak_rss_mib_after": round(peak_kib(worker) / 1024, 1)}

            known = f"{partner['user']['username']}@example.com"
            with psycopg.connect(database_url) as database:
                database.execute("UPDATE users_user SET email = %s WHERE id = %s", [known, partner["user"]["pk"]])
            figures["reset_ms_with_smtp_holding_each_mail_2_s"] = timed_resets(
                base, known, "nobody@example.com", resets)
            assert mailbox.wait_for(1, timeout=60)
    print(json.dumps(figures, indent=2))  # noqa: T201
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
