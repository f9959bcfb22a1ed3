"""Whose word about the client counts: the proxies the deployment declares, and no one else.

`NUM_PROXIES` says how many proxies stand between the Internet and this server (0: clients
connect directly, the default; Heroku's router: 1; nginx behind a load balancer: 2). Each proxy
appends the address it saw to `X-Forwarded-For`, so the client's address is the NUM_PROXIES-th
entry from the right. Anything further left was written by the client itself and is ignored,
and with no proxy declared the header is ignored altogether: a client cannot choose the address
its throttles are counted under.
"""
from django.conf import settings


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
