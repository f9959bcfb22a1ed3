"""Who is on the other end of a socket, and from which page: the REST API's JWT and CORS rules.

The access token comes from wherever a client can put it: the auth cookie (browsers on the API's
own site), `?token=` (any client), or a `Sec-WebSocket-Protocol` value (browsers on another site:
`new WebSocket(url, ["bearer", token])`; the server answers "bearer"). It must be a valid, unexpired
access token of an active user whose sign-in has not been revoked (logout, password change,
reuse). A browser's `Origin` must be this server's own or one of CLIENT_ORIGINS, as for CORS.
"""
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from users.models import SessionFamily
from users.sessions import FAMILY_CLAIM

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


def user_for(raw_token):
    """(the user, when the token expires), or (None, None) for a token that must be refused."""
    authentication = JWTAuthentication()  # the REST API's own checks: signature, expiry, type, active user
    try:
        token = authentication.get_validated_token(raw_token)
        user = authentication.get_user(token)
    except (InvalidToken, AuthenticationFailed):
        return None, None
    family = token.get(FAMILY_CLAIM)
    if family and SessionFamily.objects.filter(pk=family, revoked_at__isnull=False).exists():
        return None, None
    return user, datetime_from_epoch(token["exp"])


class JWTAuthMiddleware(BaseMiddleware):
    """Puts `user`, `token_expires_at`, `token_subprotocol` and `origin_allowed` in the scope."""

    async def __call__(self, scope, receive, send):
        raw_token, subprotocol = presented_token(scope)
        user, expires_at = await database_sync_to_async(user_for)(raw_token) if raw_token else (None, None)
        scope = {
            **scope,
            "user": user or AnonymousUser(),
            "token_expires_at": expires_at,
            "token_subprotocol": subprotocol,
            "origin_allowed": origin_allowed(scope),
        }
        return await super().__call__(scope, receive, send)
