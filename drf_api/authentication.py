"""JWT authentication from the Authorization header or from the httpOnly access cookie."""
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from dj_rest_auth.jwt_auth import JWTCookieAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken


def enforce_csrf(request):
    """Django's CSRF check (token and, over HTTPS, origin/referer) on a DRF request; 403 when it fails."""
    JWTCookieAuthentication().enforce_csrf(request)


class JWTCookieOrHeaderAuthentication(JWTCookieAuthentication):
    """A Bearer header wins; otherwise the access cookie, CSRF-checked.

    Unlike dj-rest-auth's class, a stale or broken cookie makes the request anonymous instead
    of failing it with 401: an expired cookie must not stop a browser from logging in again or
    reading public data. An invalid Bearer token is still a 401, because the client sent it on
    purpose. CSRF is enforced only when the cookie really authenticates the request.
    """

    def authenticate(self, request):
        header = self.get_header(request)
        if header is not None:
            raw_token = self.get_raw_token(header)
            if raw_token is None:
                return None
            validated_token = self.get_validated_token(raw_token)
            return self.get_user(validated_token), validated_token

        raw_token = request.COOKIES.get(rest_auth_settings.JWT_AUTH_COOKIE)
        if not raw_token:
            return None
        try:
            validated_token = self.get_validated_token(raw_token)
            user = self.get_user(validated_token)
        except InvalidToken:
            return None
        self.enforce_csrf(request)
        return user, validated_token
