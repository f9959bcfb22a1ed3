"""Whose word about the client counts: the proxies the deployment declares, and no one else.

Three things only a proxy can tell us: the client's address (`X-Forwarded-For`), whether the
client connected over HTTPS (`X-Forwarded-Proto`, settings.SECURE_PROXY_SSL_HEADER), and the
path prefix it mounts the API under (`X-Forwarded-Prefix`, e.g. `/api` for a browser app served
from the same origin). All are believed only when the deployment declares proxies.

`NUM_PROXIES` says how many proxies stand between the Internet and this server (0: clients
connect directly, the default; Heroku's router: 1; nginx behind a load balancer: 2). Each proxy
appends the address it saw to `X-Forwarded-For`, so the client's address is the NUM_PROXIES-th
entry from the right. Anything further left was written by the client itself and is ignored,
and with no proxy declared the header is ignored altogether: a client cannot choose the address
its throttles are counted under.
"""
import re
from contextlib import contextmanager

from django.conf import settings
from django.urls import get_script_prefix, set_script_prefix

# One or more path segments of URL-safe characters, e.g. "/api" or "/social/api"; no segment is
# "." or "..", which would climb out of the prefix in every URL built from it.
PREFIX_PATTERN = re.compile(r"(/(?!\.{1,2}(?:/|$))[A-Za-z0-9._~-]+)+")
PREFIX_MAX_LENGTH = 100


def client_ip(request):
    """The address of the client, as the last trusted proxy (or the socket) saw it."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    hops = settings.NUM_PROXIES
    forwarded = [address.strip() for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if hops == 0 or not forwarded:
        return remote_addr
    # Fewer entries than proxies: the request skipped a proxy; the leftmost is all there is.
    return forwarded[-min(hops, len(forwarded))]


def forwarded_prefix(request):
    """The path prefix a trusted proxy says the API is mounted under ("/api"), or "".

    With no proxy declared, or a value that is not a plain path of at most 100 characters
    without `.`/`..` segments, the header is ignored.
    """
    if settings.NUM_PROXIES == 0:
        return ""
    value = request.META.get("HTTP_X_FORWARDED_PREFIX", "").strip().rstrip("/")
    return value if len(value) <= PREFIX_MAX_LENGTH and PREFIX_PATTERN.fullmatch(value) else ""


@contextmanager
def mounted_under_forwarded_prefix(request):
    """Within this block, the request and every URL built (reverse(), static and media URLs)
    carry the trusted proxy's prefix, as they would with SCRIPT_NAME from the server."""
    prefix = forwarded_prefix(request)
    if not prefix:
        yield
        return
    script_name = prefix + request.META.get("SCRIPT_NAME", "").rstrip("/")
    request.META["SCRIPT_NAME"] = script_name
    request.path = script_name + request.path_info
    previous = get_script_prefix()
    set_script_prefix(script_name)
    try:
        yield
    finally:
        set_script_prefix(previous)
