#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server: initdb in a temporary folder, start it
# on a free local port, export DATABASE_URL, run the command, then stop the server and delete it.
# As root, the server runs as the postgres user (PostgreSQL refuses to run as root).
# With PG_KEEP_DIR=<folder> the cluster lives in that folder and outlives the run (make bench reuses
# its big dataset): created on first use, started and stopped around the command, never deleted.
# PG_SERVER_OPTIONS adds server settings (e.g. "-c shared_buffers=1GB").
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

# As root the server runs as the postgres user, who must be able to enter the cluster's folder:
# a folder under a home or a `mktemp -d` folder is closed to it. Such a cluster lives instead in a
# folder made for it under /var/tmp/drf_api-pg (named after the folder asked for, and kept as long).
postgres_can_enter() {
    runuser -u postgres -- test -w "$1" -a -x "$1" 2>/dev/null
}
as_owner=()
if [ -n "${PG_KEEP_DIR:-}" ]; then
    mkdir -p "$PG_KEEP_DIR"
    PG_DIR=$(cd "$PG_KEEP_DIR" && pwd)
else
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/drf_api-pg.XXXXXX")
fi
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_DIR"
    if ! postgres_can_enter "$PG_DIR"; then
        ASKED=$PG_DIR
        mkdir -p -m 755 /var/tmp/drf_api-pg
        if [ -n "${PG_KEEP_DIR:-}" ]; then
            PG_DIR="/var/tmp/drf_api-pg/$(basename "$ASKED")-$(printf %s "$ASKED" | sha256sum | cut -c1-12)"
            mkdir -p "$PG_DIR"
        else
            rmdir "$ASKED"
            PG_DIR=$(mktemp -d /var/tmp/drf_api-pg/run.XXXXXX)
        fi
        chown postgres:postgres "$PG_DIR"
        echo "The postgres user cannot enter $ASKED: the cluster lives in $PG_DIR instead" >&2
    fi
    as_owner=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_server() {
    if [ -n "${PG_KEEP_DIR:-}" ]; then
        "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    else
        "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}
trap stop_server EXIT

new_cluster=false
if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    "${as_owner[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
    new_cluster=true
fi
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-p $PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_SERVER_OPTIONS:-}" \
    start >/dev/null
if [ "$new_cluster" = true ]; then
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE drf_api" >/dev/null
fi

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/drf_api"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
