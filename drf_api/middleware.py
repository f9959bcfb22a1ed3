"""Middleware that keeps every response JSON, private where it must be, and honest about outages."""
import logging

from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from drf_api.proxies import mounted_under_forwarded_prefix

logger = logging.getLogger(__name__)


class ForwardedPrefixMiddleware:
    """Behind a trusted proxy that mounts the API under a prefix, every URL we make carries it.

    The proxy strips the prefix (`/api/posts/` arrives as `/posts/`) and names it in
    `X-Forwarded-Prefix`. Django's own mechanism for a mounted app is SCRIPT_NAME: setting it,
    the request's path and the script prefix for this request makes `reverse()`, the pagination
    links, and (through media.storage) static and media URLs all start with the prefix, as
    they do when SCRIPT_NAME comes from the server's environment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with mounted_under_forwarded_prefix(request):
            return self.get_response(request)


def body_too_large_response():
    limit = settings.MAX_REQUEST_BODY_BYTES
    return JsonResponse(
        {"detail": f"Request body too large: at most {limit / 1024 / 1024:g} MB is accepted."}, status=413
    )


class RequestBodyLimitMiddleware:
    """413 for a body over MAX_REQUEST_BODY_BYTES, judged by Content-Length before any parsing.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE is set to the same number (settings.py), so a body
    that arrives without a Content-Length is held to the same cap when it is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return body_too_large_response()
        return self.get_response(request)


class JSONNotFoundMiddleware:
    """A URL that matches no route gets a JSON 404, DEBUG on or off.

    Django answers those with its HTML debug page when DEBUG is on, before handler404 is
    consulted; a request that never resolved has no `resolver_match`, which is how we tell an
    unknown URL from a view's own 404 (the browsable API and admin keep theirs).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return JsonResponse({"detail": "Not found."}, status=404)
        return response


class PrivateResponseMiddleware:
    """No cache, shared or in the browser, keeps a response that carries credentials or private data.

    A request that sends credentials (a Bearer header or the auth cookie) is answered for that
    caller alone: messages, the current user, `is_owner`, `like_id`. A response that sets or
    clears the auth cookies carries tokens (login, registration, refresh, logout). Both are
    `Cache-Control: no-store, private`. Anonymous reads of public data stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        auth_cookies = {rest_auth_settings.JWT_AUTH_COOKIE, rest_auth_settings.JWT_AUTH_REFRESH_COOKIE}
        if (
            "HTTP_AUTHORIZATION" in request.META
            or auth_cookies & request.COOKIES.keys()
            or auth_cookies & response.cookies.keys()
        ):
            add_never_cache_headers(response)
        return response


def is_database_unavailable(exception):
    """A connection that failed or broke, a lock timeout, a conflict: the database said "not now"."""
    return isinstance(exception, OperationalError | InterfaceError)


def database_unavailable_response():
    response = JsonResponse(
        {"detail": "The service is temporarily unavailable: the database cannot be reached. Try again shortly."},
        status=503,
    )
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, a view's request gets 503 with Retry-After, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response()
        return None
