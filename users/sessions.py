"""How a signed-in session's tokens are issued, rotated and revoked, and who may start one.

Every rule about refresh tokens lives here, so "why did this refresh fail?" has one answer:

- A refresh token is exchanged for a new pair exactly once. "Is it blacklisted?" and "blacklist
  it" are one step: inserting its blacklist row, which the database lets through for one caller
  only (the row is unique per token). Of 20 refreshes of one token at the same instant, one
  wins; the others are 401 "Token is blacklisted".
- A password change revokes every refresh token the user holds, in the same transaction as the
  change. The user's row is locked by both, so no refresh can slip a new token in between.
- Logout blacklists the token it is given; a token that is already dead is still a logout.
- Endpoints that set the auth cookies (login, registration, refresh) refuse to do so for another
  site: an untrusted `Origin` is a 403, and a body that is not JSON (what an HTML form can send
  across sites) needs the CSRF token. Otherwise a page elsewhere could sign a visitor's browser
  into the attacker's account (login CSRF). JSON from API clients, which send no `Origin`,
  works as before.
"""
import contextlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from drf_api.authentication import enforce_csrf


def issue_tokens(user):
    """A new refresh token (and through it an access token) for a user who just proved who they are."""
    return RefreshToken.for_user(user)


def _lock_user(user_id):
    return get_user_model().objects.select_for_update().filter(pk=user_id).first()


@transaction.atomic
def rotate_refresh_token(raw_token):
    """Exchange a refresh token for a new one, once: the new `RefreshToken`, or 401."""
    try:
        refresh = RefreshToken(raw_token)  # signature, expiry, type, and not yet blacklisted
    except TokenError as error:
        raise InvalidToken(error.args[0]) from None
    user = _lock_user(refresh.payload.get(jwt_settings.USER_ID_CLAIM))
    if user is None or not user.is_active:
        raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=refresh[jwt_settings.JTI_CLAIM],
        defaults={
            "user": user,
            "token": str(raw_token),
            "expires_at": timezone.now() + jwt_settings.REFRESH_TOKEN_LIFETIME,
        },
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        raise InvalidToken("Token is blacklisted") from None
    return issue_tokens(user)


@transaction.atomic
def change_password(*, user, save_password):
    """Run `save_password` and revoke every refresh token issued before it; a fresh token for the caller."""
    _lock_user(user.pk)
    save_password()
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in live], ignore_conflicts=True)
    return issue_tokens(user)


def end_session(raw_token):
    """Blacklist a refresh token at logout. One that is already expired, revoked or malformed can no
    longer be used, so there is nothing left to end."""
    with contextlib.suppress(TokenError):
        RefreshToken(raw_token).blacklist()


def origin_is_trusted(request, origin):
    """This server's own origin, or one of the configured client origins (CSRF_TRUSTED_ORIGINS)."""
    return origin == f"{request.scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS


def check_cookie_setting_request(request):
    """Refuse to set the auth cookies for a request another site could have made (login CSRF)."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None and not origin_is_trusted(request, origin):
        raise PermissionDenied(f"Signing in from {origin} is not allowed: that origin is not trusted.")
    if request.content_type.split(";")[0].strip().lower() != "application/json":
        enforce_csrf(request)
