"""The project's own endpoints: welcome, health, CSRF token, local media and JSON error handlers."""
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.static import serve
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from drf_api.middleware import body_too_large_response, database_unavailable_response, is_database_unavailable


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
@permission_classes([AllowAny])
def root(request):
    """Welcome: what this API is and where its documentation lives."""
    return Response(
        {
            "message": "Welcome to drf_api, the REST API of a social platform.",
            "docs": request.build_absolute_uri(reverse("swagger-ui")),
            "schema": request.build_absolute_uri(reverse("schema")),
            "health": request.build_absolute_uri(reverse("health")),
        }
    )


@extend_schema(
    responses=inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()}),
)
@api_view(["GET"])
@permission_classes([AllowAny])
@ensure_csrf_cookie
def csrf(request):
    """The CSRF token, for cookie-authenticated writes from a cross-origin SPA (`X-CSRFToken`)."""
    return Response({"csrf_token": get_token(request)})


@never_cache
@extend_schema(
    responses={
        200: inline_serializer("Health", {"status": serializers.CharField()}),
        503: inline_serializer("HealthDown", {"status": serializers.CharField(), "detail": serializers.CharField()}),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def health(request):
    """200 when the database answers a query, 503 when it does not. No authentication, no throttle."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Response(
            {"status": "unavailable", "detail": "The database is not reachable."},
            status=503,
            headers={"Retry-After": str(settings.DATABASE_RETRY_AFTER_SECONDS)},
        )
    return Response({"status": "ok"})


def bad_request(request, exception=None):
    """Django's own 400s, raised while a request body is read, said plainly."""
    if isinstance(exception, RequestDataTooBig):
        return body_too_large_response()
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return JsonResponse({"detail": "Too many form fields or files in one request."}, status=400)
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request, exception=None):
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)


def not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    """A 500 that no view handled; a database outage outside a view is still a 503."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return JsonResponse({"detail": "Internal server error."}, status=500)


def local_media(request, path):
    """Uploaded files, in local mode (no CLOUDINARY_URL): MEDIA_ROOT is read at request time."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
