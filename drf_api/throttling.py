"""DRF's throttles, switchable at run time, reading their rates from settings, keyed by the real client.

DRF binds throttle classes and rates when its views are imported; these read
`settings.THROTTLING_ENABLED` and `settings.THROTTLE_RATES` on every request instead, so that
`THROTTLING=off` (and a test that turns throttling back on) takes effect everywhere. Anonymous
callers are counted by the address `drf_api.proxies.client_ip` trusts, never by a header the
client wrote itself.

Where the counts live: the limits that stop password guessing (login, registration, password
change and reset, logout, admin's login form, and refreshes of dead tokens, all per client
address) are counted in the `throttle` cache, which every process sees: Redis when REDIS_URL is
set, else a table of the same database (Django's database cache). The general read and write
rates, and a live sign-in's refreshes, count in the `default` cache: Redis, or each process's
own memory (so per process without Redis; documented in the README).
"""
import hashlib

from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling

from drf_api.proxies import client_ip

# Scopes whose counts every process shares (the `throttle` cache).
SHARED_SCOPES = {"dj_rest_auth"}


class SettingsRateMixin:
    shared = False

    @property
    def cache(self):
        return caches["throttle" if self.shared else "default"]

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

    @property
    def shared(self):
        return getattr(self, "scope", None) in SHARED_SCOPES


class AdminLoginThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Sign-in attempts on Django admin's login form: the API login's rate, per client address."""

    scope = "dj_rest_auth"
    shared = True

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "admin_login", "ident": self.get_ident(request)}


class TokenRefreshThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Token refreshes, counted per user (the user of the refresh token presented), generously.

    The view says whose live sign-in the token belongs to (`refreshing_user_id`); any other
    request (no token, a revoked, rotated-out or forged one) is counted by client address, in the
    cache every process shares.
    """

    scope = "token_refresh"

    def get_cache_key(self, request, view):
        user_id = view.refreshing_user_id(request)
        self.shared = not user_id
        ident = f"user-{user_id}" if user_id else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WriteRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """A `scope`'s rate for one user's writes (POST, PUT, PATCH, DELETE); reads are not counted."""

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class AddressRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Mails asked for one e-mail address (the body's `email`), whoever asks and whether or not an
    account has it: one address cannot be flooded with mails, and the count says nothing about
    accounts. In the cache every process shares; the address is kept only as a hash."""

    scope = "password_reset_address"
    shared = True

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None  # nothing to count: the serializer answers 400
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}
