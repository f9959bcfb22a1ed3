"""The CSRF rule for requests that a cookie authenticates (users/authentication.py authenticates)."""
from dj_rest_auth.jwt_auth import JWTCookieAuthentication


def enforce_csrf(request):
    """Django's CSRF check (token and, over HTTPS, origin/referer) on a DRF request; 403 when it fails."""
    JWTCookieAuthentication().enforce_csrf(request)
