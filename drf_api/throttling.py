"""DRF's throttles, switchable at run time, reading their rates from settings, keyed by the real client.

DRF binds throttle classes and rates when its views are imported; these read
`settings.THROTTLING_ENABLED` and `settings.THROTTLE_RATES` on every request instead, so that
`THROTTLING=off` (and a test that turns throttling back on) takes effect everywhere. Anonymous
callers are counted by the address `drf_api.proxies.client_ip` trusts, never by a header the
client wrote itself.
"""
from django.conf import settings
from rest_framework import throttling

from drf_api.proxies import client_ip


class SettingsRateMixin:
    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        if not settings.THROTTLING_ENABLED:
            return True
        return super().allow_request(request, view)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(SettingsRateMixin, throttling.ScopedRateThrottle):
    """Throttles views that name a `throttle_scope` (dj-rest-auth's views use "dj_rest_auth")."""


class AdminLoginThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Sign-in attempts on Django admin's login form: the API login's rate, per client address."""

    scope = "dj_rest_auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "admin_login", "ident": self.get_ident(request)}


class TokenRefreshThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Token refreshes, counted per user (the user of the refresh token presented), generously.

    The view says whose token it is (`refreshing_user_id`); a request without a valid token is
    counted by client address.
    """

    scope = "token_refresh"

    def get_cache_key(self, request, view):
        user_id = view.refreshing_user_id(request)
        ident = f"user-{user_id}" if user_id else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
