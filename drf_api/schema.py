"""drf-spectacular extensions for the project's own classes (imported by DrfApiConfig.ready)."""
from drf_spectacular.contrib.rest_auth import SimpleJWTCookieScheme


class JWTCookieOrHeaderScheme(SimpleJWTCookieScheme):
    """Documents our authentication as dj-rest-auth's: a Bearer header or the access cookie."""

    target_class = "drf_api.authentication.JWTCookieOrHeaderAuthentication"


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
LIST_PARAMETERS_THAT_NEVER_FAIL = {"page", "page_size", "search", "ordering"}


def error_response(description, schema_name):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def add_error_responses(result, generator, request, public):
    """Document the errors each operation can really answer with, in DRF's shapes.

    400 where input is validated (bodies, filters), 401 where credentials are checked, 403 for
    writes (owner-only objects, CSRF for cookie-authenticated requests), 404 where the path names
    an object, 413 where a file can be uploaded, 429 everywhere (throttling).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    for path, item in result["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            validates = (method in UNSAFE_METHODS and method != "delete") or query - LIST_PARAMETERS_THAT_NEVER_FAIL
            extra = {}
            if validates:
                extra["400"] = error_response("Invalid input.", "ValidationError")
            if operation.get("security"):
                extra["401"] = error_response("Not authenticated, or the token is invalid or expired.", "Error")
            if method in UNSAFE_METHODS and operation.get("security"):
                extra["403"] = error_response("Not allowed: not the owner, or a missing CSRF token.", "Error")
            if "{" in path:
                extra["404"] = error_response("Not found, or not visible to the caller.", "Error")
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                extra["413"] = error_response("The request body is over the server's limit.", "Error")
            extra["429"] = {
                **error_response("Throttled: too many requests.", "Error"),
                "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
            }
            for status, response in extra.items():
                responses.setdefault(status, response)
    return result
