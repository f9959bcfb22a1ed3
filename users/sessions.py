"""How a signed-in session's tokens are issued, rotated and revoked, and who may start one.

Every rule about refresh tokens lives here, so "why did this refresh fail?" has one answer
(anchors: RFC 9700, the OAuth 2.0 Security BCP, section 4.14: rotation with reuse detection).

- A sign-in (login, registration, password change) starts a *family*: a `SessionFamily` row,
  whose id every refresh token of that sign-in carries. The family knows its one live refresh
  token; rotating replaces it, so a family never has two live refresh tokens.
- A refresh token is exchanged for a new one exactly once. The family row is locked for the
  exchange, so of 20 refreshes of one token at the same instant one wins.
- A browser sends its refresh token as a cookie and often refreshes twice at once. The refresh
  cookie wins over a token in the body, and a cookie presented again within
  `JWT_REFRESH_GRACE_SECONDS` of its own rotation gets the family's current refresh token (and a
  fresh access token) instead of a new one: nothing new is minted.
- Any other use of a rotated-out token is reuse: somebody holds a copy. The whole family is
  revoked and every token of that sign-in is dead (401). A token sent in the body has no grace.
- Logout revokes its family; a password change revokes every family of the user, in the same
  transaction as the change (the user's row is locked by both, so no refresh slips between).
- Tokens issued before families existed (no family claim) are rotated once through simplejwt's
  blacklist, whose unique row admits one caller, and then join a new family.
- Endpoints that set the auth cookies (login, registration, refresh) refuse to do so for another
  site: an untrusted `Origin` is a 403, and a body that is not JSON (what an HTML form can send
  across sites) needs the CSRF token (login CSRF). They also hand out the `csrftoken` cookie that
  a browser app reads for its `X-CSRFToken` header.
"""
import contextlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.middleware.csrf import get_token, rotate_token
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from drf_api.authentication import enforce_csrf
from users.models import SessionFamily

FAMILY_CLAIM = "family"
REUSED = object()


# --- issuing --------------------------------------------------------------------------------


def _mint(user, family_id):
    refresh = RefreshToken()
    refresh[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    refresh[FAMILY_CLAIM] = str(family_id)
    return refresh


def _as_current(refresh):
    return {
        "current_jti": refresh[jwt_settings.JTI_CLAIM],
        "current_token": str(refresh),
        "current_expires_at": datetime_from_epoch(refresh["exp"]),
    }


def issue_tokens(user):
    """Start a family for a user who just proved who they are; its first refresh token."""
    family_id = uuid.uuid4()
    refresh = _mint(user, family_id)
    SessionFamily.objects.create(id=family_id, user=user, **_as_current(refresh))
    return refresh


# --- rotating -------------------------------------------------------------------------------


def _verified(raw_token):
    """The refresh token, its signature, expiry and type checked (no database involved)."""
    try:
        payload = UntypedToken(raw_token).payload
    except TokenError as error:
        raise InvalidToken(error.args[0]) from None
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type:
        raise InvalidToken("Token has wrong type")
    return RefreshToken(raw_token, verify=False)


def rotate_refresh_token(raw_token, *, from_cookie=False):
    """Exchange a refresh token for the family's next one: a `RefreshToken`, or 401."""
    refresh = _verified(raw_token)
    family_id = refresh.get(FAMILY_CLAIM)
    if family_id is None:
        return _rotate_without_family(refresh, raw_token)
    try:
        family_id = uuid.UUID(family_id)
    except (TypeError, ValueError):
        raise InvalidToken("Token is invalid or expired") from None
    result = _rotate_in_family(refresh, family_id, from_cookie)
    if result is REUSED:
        raise InvalidToken("Token was already used: every session of this sign-in has been signed out.")
    return result


@transaction.atomic
def _rotate_in_family(refresh, family_id, from_cookie):
    family = SessionFamily.objects.select_for_update().select_related("user").filter(pk=family_id).first()
    if family is None or family.revoked_at is not None:
        raise InvalidToken("Token is blacklisted")
    if not family.user.is_active:
        raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
    jti, now = refresh[jwt_settings.JTI_CLAIM], timezone.now()
    if jti == family.current_jti:
        successor = _mint(family.user, family.id)
        changes = {**_as_current(successor), "previous_jti": jti, "rotated_at": now}
        for field, value in changes.items():
            setattr(family, field, value)
        family.save(update_fields=list(changes))
        return successor
    grace = timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS)
    if from_cookie and jti == family.previous_jti and now - family.rotated_at <= grace:
        # The browser's second refresh of the same cookie: the family's current token, again.
        return RefreshToken(family.current_token, verify=False)
    family.revoked_at, family.revoked_because = now, SessionFamily.Revoked.REUSE
    family.save(update_fields=["revoked_at", "revoked_because"])
    return REUSED


@transaction.atomic
def _rotate_without_family(refresh, raw_token):
    """A token from before families: blacklisted by a unique insert that admits one caller."""
    user = get_user_model().objects.select_for_update().filter(pk=refresh.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=refresh[jwt_settings.JTI_CLAIM],
        defaults={"user": user, "token": str(raw_token), "expires_at": datetime_from_epoch(refresh["exp"])},
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        raise InvalidToken("Token is blacklisted") from None
    return issue_tokens(user)


# --- revoking -------------------------------------------------------------------------------


def revoke_families(families, because):
    """Sign out these sign-ins (a SessionFamily queryset): every token of theirs is dead. How many."""
    return families.filter(revoked_at=None).update(revoked_at=timezone.now(), revoked_because=because)


@transaction.atomic
def change_password(*, user, save_password):
    """Run `save_password` and revoke every refresh token issued before it; a new family for the caller."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    save_password()
    revoke_families(SessionFamily.objects.filter(user=user), SessionFamily.Revoked.PASSWORD_CHANGE)
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in live], ignore_conflicts=True)
    return issue_tokens(user)


def end_session(raw_token):
    """Logout: revoke the token's family. A token that is already expired, revoked or malformed can
    no longer be used, so there is nothing left to end."""
    try:
        refresh = _verified(raw_token)
    except InvalidToken:
        return
    family_id = refresh.get(FAMILY_CLAIM)
    if family_id is None:
        with contextlib.suppress(TokenError):
            refresh.blacklist()
        return
    with contextlib.suppress(ValueError):
        revoke_families(SessionFamily.objects.filter(pk=uuid.UUID(family_id)), SessionFamily.Revoked.LOGOUT)


def user_id_of(raw_token):
    """The user a valid refresh token belongs to, or None (the refresh throttle's key)."""
    try:
        return _verified(raw_token).get(jwt_settings.USER_ID_CLAIM)
    except InvalidToken:
        return None


# --- who may get the cookies ------------------------------------------------------------------


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


def hand_out_csrf_cookie(request, *, new_session=False):
    """Make sure the response sets the `csrftoken` cookie; a new sign-in gets a new token."""
    django_request = getattr(request, "_request", request)
    if new_session:
        rotate_token(django_request)
    get_token(django_request)
