"""make bench: the API against its own ceiling, on a dataset the size of a real community.

A benchmark, not a test: it prints a table (and writes it to bench/results/bench.json) and fails
only when something does not work at all. It needs DATABASE_URL (make bench runs it inside
scripts/with-postgres.sh) and Debian's wrk.

1. Build the dataset (bench/dataset.py) in that database, or reuse the one it holds.
2. Serve it as the Procfile's `web` process does (gunicorn), with the benchmark's settings: the
   public URLconf plus the baseline views (bench/baseline.py), and throttling off.
3. Per endpoint: its SQL queries and body bytes (one request, in this process, through Django's
   test client), then wrk from outside: requests per second, p50 and p99 latency. Each row's
   throughput is also shown as a ratio to the baseline that serves the same kind of page,
   measured in alternating rounds (see measure()).
4. EXPLAIN (ANALYZE, BUFFERS) of the queries that grow with the data, beside the table.
5. Time and peak memory of storing an uploaded image (bench/images.py): a 12 MP photo, a
   4096 x 4096 PNG.

    python bench/run.py [--smoke] [--duration SECONDS] [--connections N] [--workers N] [--only TEXT]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import images  # noqa: E402
from drf_api import gunicorn_web  # noqa: E402
from testing.servers import gunicorn_server, server_env  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"


@dataclass
class Endpoint:
    name: str
    path: str
    signed_in: bool = False
    baseline: str | None = None  # the row this one's throughput is divided by
    method: str = "GET"
    body: dict | None = None
    explain: bool = False  # EXPLAIN (ANALYZE, BUFFERS) its queries
    viewer: str = "plain"  # who is signed in: "plain" (user 1) or "guarded" (user 4: blocks and mutes)


def endpoints(scale, ids):
    from bench import dataset

    feed = f"/posts/?followed={ids['profile']}"
    deep_page = min(2000, scale.posts // 20)  # a page that exists whatever the safety rule leaves out
    thread_pages = scale.thread_messages // 10
    return [
        Endpoint("baseline: posts", "/bench/baseline/posts/"),
        Endpoint("baseline: posts, signed in", "/bench/baseline/posts/", signed_in=True),
        Endpoint("baseline: feed", f"/bench/baseline/posts/?followed={ids['profile']}", signed_in=True),
        Endpoint("GET /posts/", "/posts/", baseline="baseline: posts", explain=True),
        Endpoint("GET /posts/ signed in", "/posts/", signed_in=True, baseline="baseline: posts, signed in"),
        Endpoint("GET /posts/?followed= (feed)", feed, signed_in=True, baseline="baseline: feed", explain=True),
        Endpoint("GET /posts/?search=", f"/posts/?search={dataset.SEARCH_TERM}", baseline="baseline: posts",
                 explain=True),
        Endpoint(f"GET /posts/?page={deep_page}", f"/posts/?page={deep_page}", baseline="baseline: posts",
                 explain=True),
        Endpoint("GET /posts/{id}/", f"/posts/{ids['post']}/", baseline="baseline: posts"),
        Endpoint("GET /profiles/", "/profiles/", baseline="baseline: posts"),
        Endpoint("GET /comments/?post=", f"/comments/?post={ids['post']}", baseline="baseline: posts"),
        Endpoint(f"GET /messages/ ({scale.conversations} conversations)", "/messages/", signed_in=True,
                 baseline="baseline: posts, signed in", explain=True),
        Endpoint("GET /messages/{id}/ first page", f"/messages/{ids['partner']}/", signed_in=True,
                 baseline="baseline: posts, signed in", explain=True),
        Endpoint(f"GET /messages/{{id}}/?page={min(100, thread_pages)}",
                 f"/messages/{ids['partner']}/?page={min(100, thread_pages)}", signed_in=True,
                 baseline="baseline: posts, signed in", explain=True),
        Endpoint("POST /messages/{id}/send/", f"/messages/{ids['other_partner']}/send/", signed_in=True,
                 method="POST", body={"content": "Benchmark message"}, baseline="baseline: posts, signed in"),
        # The safety rule's cost: the same lists for a viewer who blocks and mutes (user 4), as a
        # ratio to the viewer who does not (user 1, following the same users).
        *guarded_pairs(scale, ids),
    ]


def guarded_pairs(scale, ids):
    """Each list signed in as user 1 and as user 4 (`scale.blocks` blocks, `scale.mutes` mutes,
    blocked by ten), the second's ratio to the first's."""
    lists = [("GET /posts/", "/posts/", "/posts/"),
             ("feed", f"/posts/?followed={ids['profile']}", f"/posts/?followed={ids['guarded_profile']}"),
             ("GET /profiles/", "/profiles/", "/profiles/"),
             ("GET /comments/?post=", f"/comments/?post={ids['post']}", f"/comments/?post={ids['post']}")]
    pairs = []
    for name, plain_path, guarded_path in lists:
        plain = f"{name}, no blocks"
        pairs += [
            Endpoint(plain, plain_path, signed_in=True),
            Endpoint(f"{name}, {scale.blocks} blocks + {scale.mutes} mutes", guarded_path, signed_in=True,
                     baseline=plain, viewer="guarded"),
        ]
    return pairs


def setup_django(env):
    os.environ.update(env)
    import django

    django.setup()


def run_manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True)
    if result.returncode:
        raise RuntimeError(result.stdout + result.stderr)


def wrk(base_url, endpoint, tokens, duration, connections, threads=2):
    """wrk's requests per second and latency percentiles (ms) for one endpoint."""
    lines = [f'wrk.method = "{endpoint.method}"', 'wrk.headers["Accept"] = "application/json"']
    if endpoint.signed_in:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {tokens[endpoint.viewer]}"')
    if endpoint.body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = [[{json.dumps(endpoint.body)}]]")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write("\n".join(lines) + "\n")
        script.flush()
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name,
             base_url + endpoint.path],
            capture_output=True, text=True, check=True,
        ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{endpoint.name}: wrk saw error responses:\n{output}")

    def milliseconds(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": milliseconds(50),
        "p99_ms": milliseconds(99),
    }


def measure(base_url, endpoint, baseline, tokens, duration, connections):
    """wrk's figures for `endpoint` (medians of its rounds) and its throughput as a ratio to
    `baseline`'s: the two take turns, a round each, so that both see the same machine. On a
    shared 2-core box throughput drifts by ±30% over a minute; a ratio of back-to-back runs
    does not (the median of the rounds' ratios)."""
    rounds = max(1, duration // 3)
    seconds = max(1, duration // rounds)
    wrk(base_url, endpoint, tokens, 1, connections)  # warm-up
    runs, ratios = [], []
    for _ in range(rounds):
        runs.append(wrk(base_url, endpoint, tokens, seconds, connections))
        if baseline is not None:
            ratios.append(runs[-1]["rps"] / wrk(base_url, baseline, tokens, seconds, connections)["rps"])
    figures = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms")}
    figures["ratio"] = round(statistics.median(ratios), 2) if ratios else None
    return figures


def one_request(endpoint, tokens):
    """Status, body and SQL of one request, served in this process exactly as gunicorn serves it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    headers = {"Accept": "application/json"}
    if endpoint.signed_in:
        headers["Authorization"] = f"Bearer {tokens[endpoint.viewer]}"
    client = Client(headers=headers, HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        if endpoint.method == "POST":
            response = client.post(endpoint.path, endpoint.body, content_type="application/json")
        else:
            response = client.get(endpoint.path)
    if response.status_code >= 300:
        raise RuntimeError(f"{endpoint.name}: {response.status_code} {response.content[:500]!r}")
    return response, [query["sql"] for query in queries.captured_queries]


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def same_body_as_baseline(base_url, api_path, baseline_path, token):
    """The baseline serves the same JSON as the API: the ratio compares equal work."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    api = requests.get(base_url + api_path, headers=headers, timeout=60).json()
    ours = requests.get(base_url + baseline_path, headers=headers, timeout=60).json()
    for link in ("next", "previous"):  # the same pages, under the baseline's own path
        if ours[link]:
            ours[link] = ours[link].replace("/bench/baseline/posts/", "/posts/")
    if api != ours:
        raise RuntimeError(f"the baseline at {baseline_path} does not answer what {api_path} answers:\n"
                           f"API:      {json.dumps(api)[:1500]}\nbaseline: {json.dumps(ours)[:1500]}")


def print_table(rows):
    header = f"{'endpoint':<44} {'req/s':>8} {'× base':>7} {'p50 ms':>8} {'p99 ms':>8} {'SQL':>4} {'bytes':>7}"
    print(header)  # noqa: T201
    print("-" * len(header))  # noqa: T201
    for row in rows:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else ""
        print(f"{row['endpoint']:<44} {row['rps']:>8.0f} {ratio:>7} {row['p50_ms']:>8.1f} "  # noqa: T201
              f"{row['p99_ms']:>8.1f} {row['queries']:>4} {row['bytes']:>7}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny dataset and one-second runs")
    parser.add_argument("--duration", type=int, help="seconds of load per endpoint, in rounds of 3 (12; smoke 1)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections (16)")
    parser.add_argument("--workers", type=int, default=gunicorn_web.workers,
                        help=f"gunicorn workers (the Procfile's: {gunicorn_web.workers} here)")
    parser.add_argument("--only", help="only the rows whose name contains this (and their baselines)")
    options = parser.parse_args()
    duration = options.duration or (1 if options.smoke else 12)

    env = server_env(
        os.environ["DATABASE_URL"], DJANGO_SETTINGS_MODULE="bench.settings", JWT_ACCESS_MINUTES="600",
        LOG_LEVEL="WARNING",
    )
    setup_django(env)
    from bench import dataset

    scale = dataset.SMOKE if options.smoke else dataset.FULL
    run_manage("migrate", "--noinput", env=env)
    started = time.monotonic()
    built = dataset.build(scale)
    build_seconds = round(time.monotonic() - started, 1)
    if built:
        print(f"dataset built in {build_seconds} s: {asdict(scale)}")  # noqa: T201
    run_manage("collectstatic", "--noinput", env=env)

    from django.db import connection

    ids = {
        "profile": dataset.scalar("SELECT id FROM profiles_profile WHERE owner_id = 1"),
        # The post with the most comments, and user 1's partners: the long thread and another.
        "post": dataset.scalar("SELECT post_id FROM comments_comment WHERE post_id IN (SELECT p.id FROM posts_post "
                               "AS p JOIN users_user AS u ON u.id = p.owner_id WHERE u.is_active AND p.hidden_at "
                               "IS NULL) GROUP BY post_id ORDER BY count(*) DESC, post_id LIMIT 1"),
        "partner": 2,
        "other_partner": 3,
        "guarded_profile": dataset.scalar("SELECT id FROM profiles_profile WHERE owner_id = %s", [dataset.GUARDED]),
    }
    rows, plans = [], {}
    with gunicorn_server(env, workers=options.workers) as base_url:
        tokens = {}
        for viewer, user_id in (("plain", 1), ("guarded", dataset.GUARDED)):
            login = requests.post(f"{base_url}/dj-rest-auth/login/",
                                  json={"username": f"user{user_id:05d}", "password": dataset.PASSWORD}, timeout=30)
            login.raise_for_status()
            tokens[viewer] = login.json()["access_token"]
        token = tokens["plain"]
        same_body_as_baseline(base_url, "/posts/", "/bench/baseline/posts/", None)
        same_body_as_baseline(base_url, "/posts/", "/bench/baseline/posts/", token)
        same_body_as_baseline(base_url, f"/posts/?followed={ids['profile']}",
                              f"/bench/baseline/posts/?followed={ids['profile']}", token)
        same_body_as_baseline(base_url, f"/posts/?followed={ids['guarded_profile']}",
                              f"/bench/baseline/posts/?followed={ids['guarded_profile']}", tokens["guarded"])
        same_body_as_baseline(base_url, "/posts/", "/bench/baseline/posts/", tokens["guarded"])
        by_path = {endpoint.name: endpoint for endpoint in endpoints(scale, ids)}
        chosen = [endpoint for endpoint in by_path.values() if not options.only or options.only in endpoint.name]
        chosen = [*(by_path[name] for name in dict.fromkeys(endpoint.baseline for endpoint in chosen)
                    if name and by_path[name] not in chosen), *chosen]
        for endpoint in chosen:
            response, queries = one_request(endpoint, tokens)
            if endpoint.explain:
                plans[endpoint.name] = [{"sql": sql, "plan": explain(sql)} for sql in queries]
            connection.close()
            base = by_path.get(endpoint.baseline)
            figures = measure(base_url, endpoint, base, tokens, duration, options.connections)
            rows.append({
                "endpoint": endpoint.name, "path": endpoint.path, "method": endpoint.method, **figures,
                "baseline": endpoint.baseline, "queries": len(queries), "bytes": len(response.content),
            })
            print(f"  {endpoint.name}: {figures['rps']:.0f} req/s", file=sys.stderr)  # noqa: T201

    image_rows = images.measure()
    name = "bench-smoke" if options.smoke else "bench" if not options.only else "bench-only"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({
        "scale": asdict(scale), "dataset_build_seconds": build_seconds if built else None,
        "duration_seconds": duration, "connections": options.connections, "workers": options.workers,
        "cpus": os.cpu_count(), "rows": rows, "images": image_rows,
    }, indent=2) + "\n")
    with open(RESULTS / f"{name}-explain.txt", "w") as out:
        for endpoint_name, queries in plans.items():
            for query in queries:
                out.write(f"=== {endpoint_name}\n{query['sql']}\n\n{query['plan']}\n\n")
    print_table(rows)
    print()  # noqa: T201
    images.print_table(image_rows)
    print(f"written to bench/results/{name}.json and {name}-explain.txt")  # noqa: T201
    return rows


if __name__ == "__main__":
    main()
