#!/usr/bin/env bash
# The browser test (Swagger UI rendered by headless Chromium) needs Debian's chromium package.
# Install it when it is missing and we may (root with apt-get); otherwise say how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium not found: installing Debian's chromium for the browser test" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "The browser test needs Chromium: install it (Debian: apt-get install chromium)" >&2
    exit 1
fi
