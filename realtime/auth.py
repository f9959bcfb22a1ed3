"""Who is on the other end of a socket, and from which page: the REST API's JWT and CORS rules.

The access token comes from wherever a client can put it: the auth cookie (browsers on the API's
own site), `?token=` (any client), or a `Sec-WebSocket-Protocol` value (browsers on another site:
`new WebSocket(url, ["bearer", token])`; the server answers "bearer"). It must be a valid, unexpired
access token of an active user whose sign-in has not ended (logout, password change, reuse,
an admin, its maximum age): the REST API's own check (users/authentication.py). The `Host` must
be one of ALLOWED_HOSTS, as for HTTP, and a browser's `Origin` this server's own or one of
CLIENT_ORIGINS, as for CORS.

Prefer the subprotocol (or the cookie) to `?token=`: a query string is what servers and proxies
write into their access logs. Ours strip it (drf_api/logs.py, deploy/nginx-site.conf); others may not.
"""
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import WebsocketDenier
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from users.authentication import JWTCookieOrHeaderAuthentication
from users.sessions import family_id_of

TOKEN_SUBPROTOCOL = "bearer"


def headers_of(scope):
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}


def presented_token(scope):
    """(the raw access token or None, the subprotocol to accept or None)."""
    token = parse_qs(scope.get("query_string", b"").decode()).get("token")
    if token:
        return token[0], None
    offered = scope.get("subprotocols") or []
    for value in offered:
        if value.count(".") == 2:
            return value, TOKEN_SUBPROTOCOL if TOKEN_SUBPROTOCOL in offered else None
    cookies = SimpleCookie(headers_of(scope).get("cookie", ""))
    cookie = cookies.get(rest_auth_settings.JWT_AUTH_COOKIE)
    return (cookie.value, None) if cookie else (None, None)


def origin_allowed(scope):
    """No Origin (not a browser), this server's own origin, or one of CLIENT_ORIGINS."""
    headers = headers_of(scope)
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}") or origin in settings.CLIENT_ORIGINS


def host_allowed(scope):
    """The handshake's `Host` is one this server answers to (ALLOWED_HOSTS, as Django's HTTP)."""
    domain, _ = split_domain_port(headers_of(scope).get("host", ""))
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


class AllowedHostsValidator(BaseMiddleware):
    """Refuses (HTTP 403) a handshake whose `Host` is not in ALLOWED_HOSTS: without it a page on
    another name for this server (DNS rebinding) would pass the same-origin check below."""

    async def __call__(self, scope, receive, send):
        if not host_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await super().__call__(scope, receive, send)


def user_for(raw_token):
    """(the user, when the token expires, its sign-in's id), or Nones for a token to refuse."""
    authentication = JWTCookieOrHeaderAuthentication()  # the REST API's checks, the sign-in's included
    try:
        token = authentication.get_validated_token(raw_token)
        user = authentication.get_user(token)
    except (InvalidToken, AuthenticationFailed):
        return None, None, None
    return user, datetime_from_epoch(token["exp"]), family_id_of(token)


class JWTAuthMiddleware(BaseMiddleware):
    """Puts `user`, `token_expires_at`, `token_family`, `token_subprotocol` and `origin_allowed`
    in the scope."""

    async def __call__(self, scope, receive, send):
        raw_token, subprotocol = presented_token(scope)
        user, expires_at, family = (
            await database_sync_to_async(user_for)(raw_token) if raw_token else (None, None, None)
        )
        scope = {
            **scope,
            "user": user or AnonymousUser(),
            "token_expires_at": expires_at,
            "token_family": family,
            "token_subprotocol": subprotocol,
            "origin_allowed": origin_allowed(scope),
        }
        return await super().__call__(scope, receive, send)
