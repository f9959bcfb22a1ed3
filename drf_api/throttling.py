"""DRF's throttles, switchable at run time and reading their rates from settings.

DRF binds throttle classes and rates when its views are imported; these read
`settings.THROTTLING_ENABLED` and `settings.THROTTLE_RATES` on every request instead, so that
`THROTTLING=off` (and a test that turns throttling back on) takes effect everywhere.
"""
from django.conf import settings
from rest_framework import throttling


class SettingsRateMixin:
    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

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
