#!/usr/bin/env bash
# Fill in deploy/nginx-site.conf: render-nginx-site.sh LISTEN APP_ROOT API_UPSTREAM > site.conf
# e.g. render-nginx-site.sh 80 /srv/app/dist 127.0.0.1:8000 > /etc/nginx/sites-enabled/drf_api
set -euo pipefail
if [ "$#" -ne 3 ]; then
    echo "usage: $0 LISTEN APP_ROOT API_UPSTREAM" >&2
    exit 2
fi
sed -e "s|@LISTEN@|$1|g" -e "s|@APP_ROOT@|$2|g" -e "s|@API_UPSTREAM@|$3|g" \
    "$(dirname "$0")/../deploy/nginx-site.conf"
