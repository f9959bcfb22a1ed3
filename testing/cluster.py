"""make cluster: the API as it scales out, on one machine, from the project's own files.

- PostgreSQL: the primary of scripts/with-postgres.sh (DATABASE_URL) and a real streaming replica
  of it (pg_basebackup, a second port), read through DATABASE_REPLICA_URLS (drf_api/replicas.py);
- Redis: the channel layer, the caches and the throttles' counters, shared by every process;
- N `web` (WSGI) and M `live` (ASGI) processes, each run exactly as the Procfile runs it (gunicorn,
  `--workers` from WEB_CONCURRENCY), on ports of their own, with a pid file each;
- Debian's nginx in front (deploy/nginx-site.conf): one upstream group per kind, /api/ mounted.

`python -m testing.cluster` (make cluster, inside scripts/with-postgres.sh) starts it, loads the
demo data, prints the URL and holds it until Ctrl-C or SIGTERM (`make cluster-stop`), then stops
every part. bench/load.py drives the same `Cluster` under load: `restart()` (a rolling restart's
step: out of nginx's rotation, SIGTERM, the replacement, back in) and `kill()` (SIGKILL).
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from testing import BASE_DIR
from testing.servers import (
    Nginx,
    accepts_connections,
    answers,
    free_port,
    manage,
    procfile_command,
    redis_server,
    replica_url,
    server_env,
    stop_process,
    streaming_replica,
)

STATE_DIR = Path(tempfile.gettempdir()) / "drf_api-cluster"
APP_INDEX = (
    "<!doctype html><title>drf_api cluster</title><p>The API is at <a href=\"/api/\">/api/</a>; "
    "its schema at <a href=\"/api/schema/\">/api/schema/</a>.</p>\n"
)


@dataclass
class Process:
    """One process of the Procfile (`web` or `live`) on its own port."""

    name: str
    kind: str
    port: int
    down: bool = False
    popen: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


class Cluster:
    def __init__(self, database_url, web=3, live=2, web_workers=2, port=None, state_dir=STATE_DIR, **env):
        self.database_url = database_url
        self.processes = [Process(f"web{n}", "web", free_port()) for n in range(1, web + 1)]
        self.processes += [Process(f"live{n}", "live", free_port()) for n in range(1, live + 1)]
        self.web_workers = web_workers
        self.state_dir = Path(state_dir)
        self.nginx = Nginx({"index.html": APP_INDEX}, log_dir=self.state_dir, port=port)
        self.extra_env = env
        self.env = None
        self.replica_url = None

    @property
    def url(self):
        """The API's base URL, through nginx."""
        return f"{self.nginx.base_url}/api"

    def of_kind(self, kind):
        return [process for process in self.processes if process.kind == kind]

    def pid_file(self, process):
        return self.state_dir / f"{process.name}.pid"

    @contextmanager
    def running(self, demo=False):
        self.state_dir.mkdir(parents=True, exist_ok=True)
        primary = urlsplit(self.database_url)
        with ExitStack() as stack:
            redis_url = stack.enter_context(redis_server())
            replica_port, _ = stack.enter_context(
                streaming_replica(primary.hostname, primary.port, primary.username or "postgres")
            )
            self.replica_url = replica_url(self.database_url, replica_port)
            self.env = server_env(
                self.database_url, DATABASE_REPLICA_URLS=self.replica_url, REDIS_URL=redis_url, NUM_PROXIES="1",
                THROTTLING="on", WEB_CONCURRENCY=str(self.web_workers), **self.extra_env,
            )
            for command in (["migrate", "--noinput"], *([["seed_demo"]] if demo else [])):
                result = manage(*command, env=self.env)
                assert result.returncode == 0, result.stdout + result.stderr
            stack.callback(self.stop_all)
            for process in self.processes:
                self.start(process)
            stack.enter_context(self.nginx.running(*self.upstreams()))
            yield self

    def upstreams(self):
        """The `web` and `live` server lists for nginx, with the processes out of rotation marked down."""
        return tuple(
            ",".join(f"{process.address}{' down' if process.down else ''}" for process in self.of_kind(kind))
            for kind in ("web", "live")
        )

    def start(self, process):
        """Start `process` (as the Procfile does) in a session of its own, and wait until it answers."""
        command = procfile_command(process.kind)
        workers = str(self.web_workers) if process.kind == "web" else "1"
        log = open(self.state_dir / f"{process.name}.log", "a")  # noqa: SIM115 (the process keeps it)
        process.popen = subprocess.Popen(
            [sys.executable, "-m", *command, "--bind", process.address, "--workers", workers,
             "--pid", str(self.pid_file(process)), "--log-level", "warning", "--graceful-timeout", "30"],
            stdout=log, stderr=subprocess.STDOUT, cwd=BASE_DIR, env=self.env, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        health = f"http://{process.address}/health/"
        while not answers(lambda: requests.get(health, timeout=5).status_code == 200):
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{process.name} did not start: see {self.state_dir / process.name}.log")
            time.sleep(0.1)

    def restart(self, process, drain_seconds=2.0):
        """One step of a rolling restart: take `process` out of nginx's rotation (a graceful reload:
        what nginx already sent it, it still answers), let its requests drain, stop it with SIGTERM
        (sockets close with 1012, clients reconnect through nginx to another `live` process), start
        its replacement on the same port, and put it back in."""
        process.down = True
        self.nginx.serve(*self.upstreams())
        time.sleep(drain_seconds)
        self.stop(process)
        self.start(process)
        process.down = False
        self.nginx.serve(*self.upstreams())

    def kill(self, process):
        """SIGKILL `process` and its workers, as a crash would; nginx finds out by itself. Then start
        its replacement. Return when it was gone: when its port stopped taking connections."""
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait()
        while accepts_connections(process.port):
            time.sleep(0.001)
        gone = time.time()
        self.start(process)
        return gone

    def stop(self, process, timeout=40):
        if process.popen is None or process.popen.poll() is not None:
            return
        stop_process(process.popen, timeout)
        self.pid_file(process).unlink(missing_ok=True)

    def stop_all(self):
        for process in self.processes:
            if process.popen is not None and process.popen.poll() is None:
                process.popen.terminate()
        for process in self.processes:
            self.stop(process)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", type=int, default=int(os.environ.get("CLUSTER_WEB", "3")))
    parser.add_argument("--live", type=int, default=int(os.environ.get("CLUSTER_LIVE", "2")))
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("CLUSTER_WEB_WORKERS", "2")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", "8080")))
    options = parser.parse_args()
    if (STATE_DIR / "cluster.pid").exists():
        try:
            os.kill(int((STATE_DIR / "cluster.pid").read_text()), 0)
            sys.exit(f"A cluster is already running (pid file {STATE_DIR / 'cluster.pid'}): make cluster-stop")
        except (ProcessLookupError, ValueError):
            pass

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    cluster = Cluster(os.environ["DATABASE_URL"], web=options.web, live=options.live,
                      web_workers=options.web_workers, port=options.port)
    try:
        with cluster.running(demo=True):
            (STATE_DIR / "cluster.pid").write_text(str(os.getpid()))
            processes = ", ".join(f"{process.name} :{process.port}" for process in cluster.processes)
            print(  # noqa: T201
                f"\ndrf_api cluster: {cluster.url}/ (its docs at {cluster.url}/docs/)\n"
                f"  processes: {processes} (pid files and logs in {STATE_DIR})\n"
                f"  PostgreSQL primary {cluster.database_url}, replica {cluster.replica_url}\n"
                f"  Redis {cluster.env['REDIS_URL']}\n"
                f"Stop it with Ctrl-C, or `make cluster-stop` from another terminal.",
                flush=True,
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping the cluster", flush=True)  # noqa: T201
    finally:
        (STATE_DIR / "cluster.pid").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
