#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server: initdb in a temporary folder, start it
# on a free local port, export DATABASE_URL, run the command, then stop the server and delete it.
# As root, the server runs as the postgres user (PostgreSQL refuses to run as root).
set -euo pipefail

find_pg_bin() {
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    return 1
}

PG_BIN=$(find_pg_bin || true)
if [ -z "$PG_BIN" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "PostgreSQL 15 not found: installing Debian's postgresql-15" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
        PG_BIN=/usr/lib/postgresql/15/bin
    else
        echo "PostgreSQL 15 is needed: install it (Debian: apt-get install postgresql-15)" >&2
        exit 1
    fi
fi

as_owner=()
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/drf_api-pg.XXXXXX")
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_DIR"
    as_owner=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_server() {
    "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap stop_server EXIT

"${as_owner[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-p $PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE drf_api" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/drf_api"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
