#!/usr/bin/env bash
# Serve the API as the Procfile's web process does on a free local port (DEBUG off, the database in DATABASE_URL,
# fresh media), run the Postman collection against it with newman twice (a second run on the
# same data proves it can run again and again), then stop the server. Fails on any failed
# assertion. `make postman` runs this inside scripts/with-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL must point at the database to serve}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/drf_api-postman.XXXXXX")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SECRET_KEY="postman-run-$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')"
export DEBUG="" SECURE_SSL_REDIRECT=off THROTTLING=off ALLOWED_HOSTS=127.0.0.1 MEDIA_ROOT="$WORK/media"
export DJANGO_SETTINGS_MODULE=drf_api.settings

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0

# The Procfile's web command, on a free port.
WEB=$(sed -n 's/^web: //p' Procfile)
# exec: the background job is gunicorn itself, so stopping it below stops the server (not just a shell).
eval "exec .venv/bin/python -m $WEB --bind 127.0.0.1:$PORT --workers 2 --log-level warning" >"$WORK/gunicorn.log" 2>&1 &
SERVER=$!
stop_server() {
    kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap stop_server EXIT

for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health/', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.2
done

for run in 1 2; do
    echo "=== newman: Postman collection, run $run, against http://127.0.0.1:$PORT ==="
    node_modules/.bin/newman run postman/drf_api.postman_collection.json \
        -e postman/local.postman_environment.json --env-var "baseUrl=http://127.0.0.1:$PORT" \
        --working-dir postman --color off --reporters cli || { cat "$WORK/gunicorn.log"; exit 1; }
done
