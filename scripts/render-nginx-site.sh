#!/usr/bin/env bash
# Fill in deploy/nginx-site.conf: render-nginx-site.sh LISTEN APP_ROOT API_SERVERS LIVE_SERVERS [ACCESS_LOG]
# e.g. render-nginx-site.sh 80 /srv/app/dist 127.0.0.1:8000 127.0.0.1:8001 > /etc/nginx/sites-enabled/drf_api
# API_SERVERS and LIVE_SERVERS are comma-separated addresses, one per process, e.g.
# 127.0.0.1:8000,127.0.0.1:8002; an address followed by " down" is left out of the rotation.
# ACCESS_LOG defaults to /var/log/nginx/drf_api.access.log.
set -euo pipefail
if [ "$#" -lt 4 ] || [ "$#" -gt 5 ]; then
    echo "usage: $0 LISTEN APP_ROOT API_SERVERS LIVE_SERVERS [ACCESS_LOG]" >&2
    exit 2
fi
ACCESS_LOG=${5:-/var/log/nginx/drf_api.access.log}

# One "    server ADDRESS [down];" line per address, joined with a literal \n for sed.
server_lines() {
    local lines="" address
    IFS=',' read -ra addresses <<< "$1"
    for address in "${addresses[@]}"; do
        address=$(echo "$address" | xargs)
        [ -n "$address" ] && lines+="    server $address;\\n"
    done
    if [ -z "$lines" ]; then
        echo "no address in '$1'" >&2
        exit 2
    fi
    printf '%s' "${lines%\\n}"
}
API_LINES=$(server_lines "$3")
LIVE_LINES=$(server_lines "$4")
sed -e "s|@LISTEN@|$1|g" -e "s|@APP_ROOT@|$2|g" -e "s|^@API_SERVERS@$|$API_LINES|" -e "s|^@LIVE_SERVERS@$|$LIVE_LINES|" \
    -e "s|@ACCESS_LOG@|$ACCESS_LOG|g" "$(dirname "$0")/../deploy/nginx-site.conf"
