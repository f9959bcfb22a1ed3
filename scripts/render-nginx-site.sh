#!/usr/bin/env bash
# Fill in deploy/nginx-site.conf: render-nginx-site.sh LISTEN APP_ROOT API_UPSTREAM LIVE_UPSTREAM [ACCESS_LOG]
# e.g. render-nginx-site.sh 80 /srv/app/dist 127.0.0.1:8000 127.0.0.1:8001 > /etc/nginx/sites-enabled/drf_api
# ACCESS_LOG defaults to /var/log/nginx/drf_api.access.log.
set -euo pipefail
if [ "$#" -lt 4 ] || [ "$#" -gt 5 ]; then
    echo "usage: $0 LISTEN APP_ROOT API_UPSTREAM LIVE_UPSTREAM [ACCESS_LOG]" >&2
    exit 2
fi
ACCESS_LOG=${5:-/var/log/nginx/drf_api.access.log}
sed -e "s|@LISTEN@|$1|g" -e "s|@APP_ROOT@|$2|g" -e "s|@API_UPSTREAM@|$3|g" -e "s|@LIVE_UPSTREAM@|$4|g" \
    -e "s|@ACCESS_LOG@|$ACCESS_LOG|g" "$(dirname "$0")/../deploy/nginx-site.conf"
