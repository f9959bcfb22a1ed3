"""The OpenAPI schema as the API really answers: our AutoSchema, extensions and postprocessing.

drf-spectacular documents what it can see in the views; this module adds what it cannot: which
operations anonymous callers may use (asked of each view's own permissions), the error
responses each operation can really give, and request bodies as each content type can carry
them (a file only in multipart).
"""
import copy

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import get_script_prefix
from drf_spectacular import openapi
from drf_spectacular.contrib.rest_auth import SimpleJWTCookieScheme
from rest_framework.request import Request

from drf_api.reads import ReadPathView


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with anonymous access listed wherever the view's permissions allow it."""

    def _get_request_body(self, direction="request"):
        """drf-spectacular documents bodies for POST, PUT and PATCH only; a view whose DELETE reads
        one (`delete_has_body = True`: an account's deletion takes the password) documents it too."""
        if self.method == "DELETE" and getattr(self.view, "delete_has_body", False):
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def get_response_serializers(self):
        """A view answering from a read path documents its responses by the read path's serializer
        (drf_api.reads); its serializer_class documents only request bodies."""
        if isinstance(self.view, ReadPathView):
            return self.view.read_path.serializer
        return super().get_response_serializers()

    def get_auth(self):
        auths = super().get_auth()
        if {} not in auths and self._anonymous_allowed():
            auths.append({})
        return auths

    def _anonymous_allowed(self):
        http_request = HttpRequest()
        http_request.method = self.method
        request = Request(http_request)
        request.user = AnonymousUser()
        return all(permission.has_permission(request, self.view) for permission in self.view.get_permissions())


class JWTCookieOrHeaderScheme(SimpleJWTCookieScheme):
    """Documents our authentication as dj-rest-auth's: a Bearer header or the access cookie."""

    target_class = "users.authentication.JWTCookieOrHeaderAuthentication"


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": 'A request-level error, e.g. {"detail": "Not found."}.',
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    },
    "description": 'Validation errors by field, e.g. {"title": ["This field is required."]}; '
    'errors about the whole request are under "non_field_errors" or "detail".',
}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
FILELESS_MEDIA_TYPES = ("application/json", "application/x-www-form-urlencoded")
LIST_PARAMETERS_THAT_NEVER_FAIL = {"page", "ordering"}


def error_response(description, schema_name):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def retry_after_header():
    return {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}


def add_error_responses(result, generator, request, public):
    """Document the errors each operation can really answer with, in DRF's shapes.

    400 where input is validated (bodies, filters), 401 where credentials are checked, 403 for
    writes (owner-only objects, CSRF for cookie-authenticated requests), 404 where the path names
    an object or a list is paged ("Invalid page."), 413 where a body is sent, 414 everywhere (from
    the HTTP server), 429 everywhere (throttling) and 503 everywhere (the database is
    unreachable), both with Retry-After.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    for path, item in result["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            reads_a_body = method in UNSAFE_METHODS and (method != "delete" or "requestBody" in operation)
            validates = reads_a_body or query - LIST_PARAMETERS_THAT_NEVER_FAIL
            extra = {}
            if validates:
                extra["400"] = error_response("Invalid input.", "ValidationError")
            if operation.get("security"):
                extra["401"] = error_response(
                    "Not authenticated, or the token is invalid, expired or of a sign-in that has ended.", "Error"
                )
            if method in UNSAFE_METHODS and operation.get("security"):
                extra["403"] = error_response("Not allowed: not the owner, or a missing CSRF token.", "Error")
            if "{" in path:
                extra["404"] = error_response("Not found, or not visible to the caller.", "Error")
            elif "page" in query:
                extra["404"] = error_response('A page past the last one: {"detail": "Invalid page."}.', "Error")
            if "requestBody" in operation:
                extra["413"] = error_response("The request body is over the server's limit.", "Error")
            extra["414"] = {
                "description": "The request line is longer than the HTTP server accepts (gunicorn: 4094 bytes). "
                "The server answers this itself, before the API, with a short HTML page.",
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
            extra["429"] = {**error_response("Throttled: too many requests.", "Error"), "headers": retry_after_header()}
            extra["503"] = error_response("The database cannot be reached right now.", "Error")
            for status, response in extra.items():
                responses.setdefault(status, response)
            responses["503"]["headers"] = retry_after_header()
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                if parameter["name"] == "search":
                    # DRF refuses a NUL character in search text (PostgreSQL cannot compare it).
                    parameter["schema"]["pattern"] = "^[^\\x00]*$"
                elif parameter["schema"].get("type") == "integer":
                    # Integer filters are ids (drf_api.filters.IdFilter): digits only.
                    parameter["schema"].setdefault("minimum", 0)
    return result


def split_file_fields_from_bodies(result, generator, request, public):
    """A JSON or form-encoded body cannot carry a file: document it without the file fields.

    drf-spectacular gives every content type of a request the same component; here JSON and
    form bodies get a copy without the `format: binary` properties (`image`), and multipart
    keeps them.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for item in result["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media_type in FILELESS_MEDIA_TYPES:
                ref = content.get(media_type, {}).get("schema", {}).get("$ref", "")
                name = ref.rsplit("/", 1)[-1]
                component = schemas.get(name)
                if not component:
                    continue
                properties = component.get("properties", {})
                files = {key for key, field in properties.items() if field.get("format") == "binary"}
                if not files:
                    continue
                fileless_name = f"{name}WithoutFiles"
                if fileless_name not in schemas:
                    fileless = copy.deepcopy(component)
                    for key in files:
                        del fileless["properties"][key]
                    if "required" in fileless:
                        fileless["required"] = [key for key in fileless["required"] if key not in files]
                    schemas[fileless_name] = fileless
                content[media_type]["schema"] = {"$ref": f"#/components/schemas/{fileless_name}"}
    return result


def servers_under_the_script_prefix(result, generator, request, public):
    """Served under a path prefix (`/api`), the schema says so: its server is that prefix."""
    prefix = get_script_prefix().rstrip("/")
    if prefix:
        result["servers"] = [{"url": prefix}]
    return result
