"""drf-spectacular extensions for the project's own classes (imported by DrfApiConfig.ready)."""
from drf_spectacular.contrib.rest_auth import SimpleJWTCookieScheme


class JWTCookieOrHeaderScheme(SimpleJWTCookieScheme):
    """Documents our authentication as dj-rest-auth's: a Bearer header or the access cookie."""

    target_class = "drf_api.authentication.JWTCookieOrHeaderAuthentication"
