"""The project's own start scripts work wherever the checkout lies."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from testing import BASE_DIR

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the postgres user matters only when run as root")


def with_postgres(keep_dir, sql):
    """Run `sql` on with-postgres.sh's server kept in `keep_dir`; the finished process (stdout: the rows)."""
    query = (f"import os, psycopg; connection = psycopg.connect(os.environ['DATABASE_URL'], autocommit=True); "
             f"cursor = connection.execute({sql!r}); print(cursor.fetchall() if cursor.description else '')")
    return subprocess.run([BASE_DIR / "scripts" / "with-postgres.sh", sys.executable, "-c", query],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PG_KEEP_DIR": str(keep_dir)})


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
