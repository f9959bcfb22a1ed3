"""Middleware that keeps every error JSON, even the ones raised before a view runs."""
from django.conf import settings
from django.http import JsonResponse


class RequestBodyLimitMiddleware:
    """413 for a body over MAX_REQUEST_BODY_BYTES, judged by Content-Length before any parsing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return JsonResponse(
                {"detail": f"Request body too large: at most {limit / 1024 / 1024:g} MB is accepted."},
                status=413,
            )
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
