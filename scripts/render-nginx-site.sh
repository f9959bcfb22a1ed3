#!/usr/bin/env bash
# Fill in deploy/nginx-site.conf: render-nginx-site.sh LISTEN APP_ROOT API_UPSTREAM LIVE_UPSTREAM
# e.g. render-nginx-site.sh 80 /srv/app/dist 127.0.0.1:8000 127.0.0.1:8001 > /etc/nginx/sites-enabled/drf_api
set -euo pipefail
if [ "$#" -ne 4 ]; then
    echo "usage: $0 LISTEN APP_ROOT API_UPSTREAM LIVE_UPSTREAM" >&2
    exit 2
fi
sed -e "s|@LISTEN@|$1|g" -e "s|@APP_ROOT@|$2|g" -e "s|@API_UPSTREAM@|$3|g" -e "s|@LIVE_UPSTREAM@|$4|g" \
    "$(dirname "$0")/../deploy/nginx-site.conf"
