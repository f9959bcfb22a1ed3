"""Real servers for tests, as the Procfile and the deploy recipes run them: gunicorn's `web` and
`live` processes, nginx in front, Redis, and a signed-up user on them."""
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

import requests

from testing import BASE_DIR

SERVER_SECRET_KEY = "server-test-secret-key-" + "Zq8#vN3pW6xK1mB7tY4cR9dL2fG5hJ0s"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, **overrides):
    """The environment of a production-like process: DEBUG off, real settings module."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "CLOUDINARY_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="drf_api.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=SERVER_SECRET_KEY,
        SECURE_SSL_REDIRECT="off",
        THROTTLING="off",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.update(overrides)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@contextmanager
def background_process(name, command, ready, log_path=None, **popen):
    """Run a server for the duration of the block: started, waited for, and stopped.

    Its output goes to a file (a pipe nobody reads would fill up and stall it): `log_path`, or a
    temporary one; shown if it exits early or does not become `ready()` within 30 s.
    """
    with open(log_path, "w+") if log_path else tempfile.TemporaryFile(mode="w+") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True, **popen)

        def fail(why):
            output.seek(0)
            raise RuntimeError(f"{name} {why}:\n{output.read()[-5000:]}")

        try:
            deadline = time.monotonic() + 30
            while not ready():
                if process.poll() is not None:
                    fail("exited early")
                if time.monotonic() > deadline:
                    fail("did not start within 30 s")
                time.sleep(0.05)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def answers(check):
    """`check()`'s truth, or False while the server still refuses connections."""
    try:
        return bool(check())
    except (OSError, requests.ConnectionError):
        return False


def procfile_command(process_type):
    """A Procfile process type's command (`web`, `live`), as a list of arguments."""
    prefix = f"{process_type}:"
    line = next(line for line in (BASE_DIR / "Procfile").read_text().splitlines() if line.startswith(prefix))
    return shlex.split(line.removeprefix(prefix))


@contextmanager
def gunicorn_server(env, workers=2, live=False, log_path=None):
    """Serve the API as the Procfile's `web` process does (or its `live` one), on a free local port.

    `web` is WSGI with gunicorn's synchronous workers (the REST API); `live` is ASGI under
    uvicorn's worker (the REST API and the WebSocket). Yield the base URL. With `log_path`, the
    server logs as in production (info, access log included) to that file.
    """
    port = free_port()
    command = procfile_command("live" if live else "web")
    base_url = f"http://127.0.0.1:{port}"
    log_options = ["--log-level", "info", "--access-logfile", "-"] if log_path else ["--log-level", "warning"]
    with background_process(
        "gunicorn",
        [sys.executable, "-m", *command, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *log_options],
        # Any answer will do: /health/ is a 503 while the database is down (a test of its own).
        lambda: answers(lambda: requests.get(f"{base_url}/health/", allow_redirects=False, timeout=10) is not None),
        log_path=log_path, cwd=BASE_DIR, env=env,
    ):
        yield base_url


@contextmanager
def nginx_in_front(api_base_url, live_base_url, app_files, log_dir=None):
    """Debian's nginx with the committed deploy/nginx-site.conf on a free port; yield its base URL.

    `app_files` ({name: text}) is the browser app it serves at /; the API at `api_base_url` is
    served at /api/, and the WebSocket of `live_base_url` at /api/ws/. nginx's own main
    configuration (pid, temporary files) lives in a temporary folder, readable by its worker
    processes; its access and error logs there too, or in `log_dir` (kept).
    """
    run_dir = Path(tempfile.mkdtemp(prefix="drf_api-nginx-"))
    log_dir = Path(log_dir or run_dir)
    app_root = run_dir / "app"
    app_root.mkdir()
    for name, text in app_files.items():
        (app_root / name).write_text(text)
    for path in (run_dir, app_root):
        path.chmod(0o755)
    port = free_port()
    site = subprocess.run(
        [BASE_DIR / "scripts" / "render-nginx-site.sh", f"127.0.0.1:{port}", str(app_root),
         api_base_url.removeprefix("http://"), live_base_url.removeprefix("http://"), str(log_dir / "access.log")],
        check=True, capture_output=True, text=True,
    ).stdout
    (run_dir / "site.conf").write_text(site)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp_paths = " ".join(f"{kind}_temp_path {run_dir / kind};" for kind in kinds)
    (run_dir / "nginx.conf").write_text(
        f"pid {run_dir}/nginx.pid;\nerror_log {log_dir}/error.log info;\nevents {{ worker_connections 256; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp_paths} include {run_dir}/site.conf; }}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        with background_process(
            "nginx",
            [nginx, "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir), "-g", "daemon off;"],
            lambda: answers(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True),
        ):
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def sign_up(base_url, prefix="srv"):
    """Register a fresh user on a live server; the registration body (tokens and user)."""
    username = f"{prefix}_{uuid.uuid4().hex[:10]}"
    password = "Server-side-pass-42"
    response = requests.post(
        f"{base_url}/dj-rest-auth/registration/",
        json={"username": username, "password1": password, "password2": password},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return {**response.json(), "password": password}


def bearer(session):
    return {"Authorization": f"Bearer {session['access_token']}"}


def socket_url(base_url, session):
    """The live server's WebSocket URL, signed in as `session` (a sign_up() body)."""
    return f"{base_url.replace('http://', 'ws://')}/ws/?token={session['access_token']}"


@contextmanager
def two_live_servers(database_url, **overrides):
    """Redis and two live (ASGI) server processes of one worker each that share it; yield both
    base URLs. What one process sends, a socket on the other must receive."""
    with redis_server() as redis_url:
        env = server_env(database_url, REDIS_URL=redis_url, **overrides)
        with gunicorn_server(env, workers=1, live=True) as one, gunicorn_server(env, workers=1, live=True) as two:
            yield one, two


def live_query(database_url, sql):
    """Rows of one SQL query on a live server's database (SQLite file or PostgreSQL)."""
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as database:
            return database.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(database_url) as database:
        return database.execute(sql).fetchall()


@contextmanager
def redis_server():
    """Debian's redis-server on a free local port, in memory only; yield its URL."""
    port = free_port()
    server = shutil.which("redis-server") or "/usr/bin/redis-server"

    def pong():
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    with background_process(
        "redis-server",
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        lambda: answers(pong),
    ):
        yield f"redis://127.0.0.1:{port}/0"
