#!/usr/bin/env bash
# make test needs a few programs from Debian: Chromium (browser tests) and nginx (the same-origin
# tests). Install each missing one when we may (root with apt-get); otherwise say how.
# Usage: ensure-debian-packages.sh PROGRAM... (each program's package has its name)
set -euo pipefail
missing=()
for program in "$@"; do
    command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("$program")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's ${missing[*]} for the tests" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "The tests need ${missing[*]}: install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
fi
