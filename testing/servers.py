"""Real servers for tests, as the Procfile and the deploy recipes run them: gunicorn's `web` and
`live` processes, nginx in front, Redis, and a signed-up user on them."""
import json
import os
import shlex
import shutil
import signal
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
        # A session of its own, so that a server that does not stop in time goes with its workers.
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True, **popen)

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
            stop_process(process)


def stop_process(process, timeout=15):
    """SIGTERM a server started in a session of its own; if it has not stopped within `timeout`
    seconds, SIGKILL it with every process of its session (a master's workers too)."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def answers(check):
    """`check()`'s truth, or False while the server still refuses connections."""
    try:
        return bool(check())
    except (OSError, requests.ConnectionError):
        return False


def accepts_connections(port):
    """Whether something listens on 127.0.0.1:`port`."""
    return answers(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True)


def gunicorn_pids(port):
    """The gunicorn master serving 127.0.0.1:`port` and its workers: (master, [workers]). The
    processes bound to the port share one command line; the master is the one whose parent is
    not among them. (`ps -ww`: whole command lines, whatever the terminal's width.)"""
    listing = subprocess.run(["ps", "-ww", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    serving = {int(line.split()[0]): int(line.split()[1]) for line in listing.splitlines()
               if f"127.0.0.1:{port} " in line + " "}
    (master,) = [pid for pid, parent in serving.items() if parent not in serving]
    return master, [pid for pid, parent in serving.items() if parent == master]


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


def nginx_binary():
    """Debian's nginx (in /usr/sbin, which may not be on a user's PATH)."""
    return shutil.which("nginx") or "/usr/sbin/nginx"


def addresses(base_urls):
    """"127.0.0.1:8000,127.0.0.1:8002" from one base URL or a list of them."""
    urls = [base_urls] if isinstance(base_urls, str) else base_urls
    return ",".join(url.removeprefix("http://") for url in urls)


class Nginx:
    """Debian's nginx with the committed deploy/nginx-site.conf, in a folder of its own: its main
    configuration (pid, temporary files), the browser app it serves at / and, unless `log_dir`
    says where, its logs. `serve(api, live)` renders the site for those upstream addresses
    (scripts/render-nginx-site.sh) and reloads a running nginx, gracefully."""

    def __init__(self, app_files, log_dir=None, port=None):
        self.run_dir = Path(tempfile.mkdtemp(prefix="drf_api-nginx-"))
        self.log_dir = Path(log_dir or self.run_dir)
        self.app_root = self.run_dir / "app"
        self.app_root.mkdir()
        for name, text in app_files.items():
            (self.app_root / name).write_text(text)
        for path in (self.run_dir, self.app_root):
            path.chmod(0o755)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def serve(self, api_servers, live_servers):
        site = subprocess.run(
            [BASE_DIR / "scripts" / "render-nginx-site.sh", f"127.0.0.1:{self.port}", str(self.app_root),
             api_servers, live_servers, str(self.log_dir / "access.log")],
            check=True, capture_output=True, text=True,
        ).stdout
        (self.run_dir / "site.conf").write_text(site)
        if self.process is not None:
            subprocess.run([nginx_binary(), *self.options, "-s", "reload"], check=True, capture_output=True)

    @property
    def options(self):
        return ["-c", str(self.run_dir / "nginx.conf"), "-p", str(self.run_dir)]

    @contextmanager
    def running(self, api_servers, live_servers):
        kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        temp_paths = " ".join(f"{kind}_temp_path {self.run_dir / kind};" for kind in kinds)
        (self.run_dir / "nginx.conf").write_text(
            f"pid {self.run_dir}/nginx.pid;\nerror_log {self.log_dir}/error.log info;\n"
            f"events {{ worker_connections 2048; }}\n"
            f"http {{ include /etc/nginx/mime.types; access_log off; {temp_paths} "
            f"include {self.run_dir}/site.conf; }}\n"
        )
        self.serve(api_servers, live_servers)
        try:
            with background_process(
                "nginx", [nginx_binary(), *self.options, "-g", "daemon off;"], lambda: accepts_connections(self.port),
            ) as process:
                self.process = process
                yield self
        finally:
            self.process = None
            shutil.rmtree(self.run_dir, ignore_errors=True)


@contextmanager
def nginx_in_front(api_base_urls, live_base_urls, app_files, log_dir=None):
    """Debian's nginx in front of the API's `web` process(es) at /api/ and the WebSocket of its
    `live` process(es) at /api/ws/ (a base URL or a list of them each), serving `app_files`
    ({name: text}) at /; yield its base URL. Logs in a temporary folder, or in `log_dir` (kept)."""
    nginx = Nginx(app_files, log_dir=log_dir)
    with nginx.running(addresses(api_base_urls), addresses(live_base_urls)):
        yield nginx.base_url


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


# Run by manage.py shell: `count` users (one password hash for all, computed once) and a sign-in
# each, printed as JSON [{"id", "profile", "access"}].
MAKE_USERS = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from profiles.models import Profile
from users.sessions import issue_tokens

password = make_password("Many-users-pass-42")
users = [get_user_model().objects.create(username=f"{prefix}_{{number}}", password=password)
         for number in range({count})]
profiles = dict(Profile.objects.filter(owner__in=users).values_list("owner_id", "id"))
print(json.dumps([{{"id": user.id, "profile": profiles[user.id], "access": str(issue_tokens(user).access_token)}}
                  for user in users]))
"""


def many_users(env, count, prefix):
    """`count` signed-in users made straight in the database of the servers of `env` (signing
    them up through the API would spend most of a benchmark hashing passwords, and trip the
    throttles); [{"id", "profile", "access"}], the access tokens valid for those servers."""
    result = manage("shell", "-c", MAKE_USERS.format(count=count, prefix=prefix), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


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


def pg_bin():
    """The folder of PostgreSQL 15's server programs, or None."""
    for candidate in ("/usr/lib/postgresql/15/bin", os.path.dirname(shutil.which("initdb") or "")):
        if candidate and Path(candidate, "pg_basebackup").exists():
            return Path(candidate)
    return None


def as_postgres(command):
    """`command` as the postgres user when run as root (PostgreSQL refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def streaming_replica(host, port, user):
    """A hot standby of the PostgreSQL server at host:port, streaming from it, on a free port of its
    own; yield (its port, a function that stops it). Made by pg_basebackup (-R: it follows the
    primary from then on) in a folder the postgres user can enter, deleted afterwards."""
    binaries = pg_bin()
    base = Path("/var/tmp/drf_api-pg") if os.geteuid() == 0 else Path(tempfile.gettempdir())
    base.mkdir(mode=0o755, parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="replica.", dir=base))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    replica_port = free_port()
    backup = [binaries / "pg_basebackup", "-h", host, "-p", str(port), "-U", user,
              "-D", str(folder / "data"), "-R", "-X", "stream", "-c", "fast"]
    subprocess.run(as_postgres(backup), check=True, capture_output=True, timeout=120)
    control = [binaries / "pg_ctl", "-D", str(folder / "data"), "-w"]
    subprocess.run(as_postgres([*control, "-l", str(folder / "server.log"), "-o",
                                f"-p {replica_port} -k {folder} -c listen_addresses=127.0.0.1 -c hot_standby=on",
                                "start"]),
                   check=True, capture_output=True, timeout=60)

    def stop():
        subprocess.run(as_postgres([*control, "-m", "immediate", "stop"]), capture_output=True, timeout=60)

    try:
        yield replica_port, stop
    finally:
        stop()
        shutil.rmtree(folder, ignore_errors=True)


def replica_url(database_url, port):
    """`database_url` with the replica's port: the same user and database on 127.0.0.1:port."""
    credentials, database = database_url.rsplit("@", 1)[0], database_url.rsplit("/", 1)[1]
    return f"{credentials}@127.0.0.1:{port}/{database}"
