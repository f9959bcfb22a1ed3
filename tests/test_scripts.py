"""The project's own start scripts work wherever the checkout lies."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from testing import BASE_DIR
from testing.servers import nginx_binary

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the postgres user matters only when run as root")


def with_postgres(keep_dir, sql):
    """Run `sql` on with-postgres.sh's server kept in `keep_dir`; the finished process (stdout: the rows)."""
    query = (f"import os, psycopg; connection = psycopg.connect(os.environ['DATABASE_URL'], autocommit=True); "
             f"cursor = connection.execute({sql!r}); print(cursor.fetchall() if cursor.description else '')")
    return subprocess.run([BASE_DIR / "scripts" / "with-postgres.sh", sys.executable, "-c", query],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PG_KEEP_DIR": str(keep_dir)})


@as_root
def test_a_kept_cluster_under_a_folder_the_postgres_user_cannot_enter_still_starts_and_is_reused(tmp_path):
    """pytest's tmp_path is private to root (0700), like a home folder or `mktemp -d`: initdb as the
    postgres user could not enter it ("Permission denied"). The cluster moves to a folder made for
    it, says so in one line, and the next run finds the same cluster (the table made by the first)."""
    tmp_path.chmod(0o700)
    keep = tmp_path / "pgdata"
    first = with_postgres(keep, "CREATE TABLE kept (id int)")
    moved = re.search(r"the cluster lives in (\S+) instead", first.stderr)
    try:
        assert first.returncode == 0, first.stderr
        assert moved, first.stderr
        second = with_postgres(keep, "SELECT count(*) FROM kept")
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == "[(0,)]"
    finally:
        if moved:
            shutil.rmtree(moved.group(1), ignore_errors=True)


def test_the_live_process_raises_its_own_limit_on_open_files_to_the_hard_limit():
    """A soft limit of 256 open files would refuse the 250th socket; loading the Procfile's `live`
    worker class (as gunicorn's master does before it forks the worker) lifts it."""
    code = ("import resource; hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]; "
            "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)); import drf_api.gunicorn_live; "
            "soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]; "
            "print(soft == (hard if hard != resource.RLIM_INFINITY else 1 << 20), soft)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=BASE_DIR, timeout=60)
    assert result.stdout.split()[0] == "True", result.stdout + result.stderr


def test_the_nginx_site_takes_a_group_of_servers_of_each_kind_and_marks_those_out_of_rotation(tmp_path):
    site = subprocess.run(
        [BASE_DIR / "scripts" / "render-nginx-site.sh", "127.0.0.1:8080", str(tmp_path),
         "127.0.0.1:8001, 127.0.0.1:8002 down,127.0.0.1:8003", "127.0.0.1:9001", str(tmp_path / "access.log")],
        capture_output=True, text=True, check=True,
    ).stdout
    groups = dict(re.findall(r"upstream (\w+) \{\n(.*?)\n\}", site, re.S))
    assert [line.strip() for line in groups["drf_api_upstream"].splitlines()] == [
        "server 127.0.0.1:8001;", "server 127.0.0.1:8002 down;", "server 127.0.0.1:8003;", "keepalive 16;"
    ]
    assert [line.strip() for line in groups["drf_api_live_upstream"].splitlines()] == ["server 127.0.0.1:9001;"]
    nginx = nginx_binary()
    if not os.path.exists(nginx):
        pytest.skip("nginx is not installed")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
