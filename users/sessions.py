"""How a signed-in session's tokens are issued, rotated and revoked, and who may start one.

Every rule about refresh tokens lives here, so "why did this refresh fail?" has one answer
(anchors: RFC 9700, the OAuth 2.0 Security BCP, section 4.14: rotation with reuse detection).

- A sign-in (login, registration, password change) starts a *family*: a `SessionFamily` row,
  whose id every token of that sign-in carries (access tokens too). The family knows the id
  (jti) of its one live refresh token, never the token itself; rotating replaces it, so a
  family never has two live refresh tokens.
- A family lives at most `JWT_SESSION_MAX_DAYS` (30) from its sign-in, however often it is
  rotated: no refresh token outlives it, and after it refresh is a 401 (sign in again).
- A refresh token is exchanged for a new one exactly once. The family row is locked for the
  exchange, so of 20 refreshes of one token at the same instant one wins.
- A browser sends its refresh token as a cookie and often refreshes twice at once. The refresh
  cookie wins over a token in the body, and a cookie presented again within
  `JWT_REFRESH_GRACE_SECONDS` of its own rotation gets a fresh access token and no refresh token:
  the answer that rotated it carried the successor, and nobody holding a rotated-out token is
  ever handed a live refresh token (a replayed cookie gets 15 minutes, not the session).
- Any other use of a rotated-out token is reuse: somebody holds a copy. The whole family is
  revoked and every token of that sign-in is dead (401). A token sent in the body has no grace.
- Logout revokes its family; a password change revokes every family of the user, in the same
  transaction as the change (the user's row is locked by both, so no refresh slips between).
- A revoked family's access tokens are refused at once on REST (users/authentication.py reads
  the family with the caller) and its open sockets are closed: `sign_ins_ended` announces every
  revocation, and the socket listens (realtime/events.py).
- Refreshes are throttled per user only for a token of a live family; a revoked or rotated-out
  token is counted by client address, so an old token cannot throttle its user's new sessions.
- Tokens issued before families existed (no family claim) are rotated once through simplejwt's
  blacklist, whose unique row admits one caller, and then join a new family.
- Endpoints that set the auth cookies (login, registration, refresh) refuse to do so for another
  site: an untrusted `Origin` is a 403, and a body that is not JSON (what an HTML form can send
  across sites) needs the CSRF token (login CSRF). They also hand out the `csrftoken` cookie that
  a browser app reads for its `X-CSRFToken` header. Logout, which a lone refresh cookie can
  authorize, obeys the same rule.
"""
import contextlib
import uuid
from dataclasses import dataclass
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
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from drf_api.authentication import enforce_csrf
from users.models import SessionFamily
from users.signals import sign_ins_ended

FAMILY_CLAIM = "family"
REUSED = object()
SIGNED_OUT = "This sign-in has ended (signed out, password changed or revoked): sign in again."
TOO_OLD = "This sign-in is too old to be refreshed: sign in again."


@dataclass(frozen=True)
class Tokens:
    """What a refresh hands out: a fresh access token, and the successor refresh token unless
    this was the grace window's second refresh (then None: the first answer carried it)."""

    access: AccessToken
    refresh: RefreshToken | None


def session_max_age():
    return timedelta(days=settings.JWT_SESSION_MAX_DAYS)


def oldest_live_sign_in():
    """A family created at or before this instant is past its maximum age."""
    return timezone.now() - session_max_age()


def live_families():
    """Sign-ins that have not ended: not revoked, and younger than their maximum age. (The
    caller's read in users/authentication.py states the same rule in its fixed SQL.)"""
    return SessionFamily.objects.filter(revoked_at=None, created_at__gt=oldest_live_sign_in())


def rotated_within_grace(rotated_at):
    """Whether the token a family rotated out at `rotated_at` still has the browser's grace."""
    grace = timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS)
    return rotated_at is not None and timezone.now() - rotated_at <= grace


# --- issuing --------------------------------------------------------------------------------


def _mint(user, family_id, started_at):
    """A refresh token of the family, expiring with it at the latest."""
    refresh = RefreshToken()
    refresh[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    refresh[FAMILY_CLAIM] = str(family_id)
    family_ends = started_at + session_max_age()
    if datetime_from_epoch(refresh["exp"]) > family_ends:
        refresh.set_exp(from_time=family_ends, lifetime=timedelta(0))
    return refresh


def _as_current(refresh):
    """What the family keeps of its live refresh token: its id and expiry, never the token."""
    return {"current_jti": refresh[jwt_settings.JTI_CLAIM], "current_expires_at": datetime_from_epoch(refresh["exp"])}


def issue_tokens(user):
    """Start a family for a user who just proved who they are; its first refresh token."""
    family_id = uuid.uuid4()
    refresh = _mint(user, family_id, timezone.now())
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


def family_id_of(token):
    """A token's (refresh or access) family id, None for a token from before families; 401 for a
    malformed one."""
    claim = token.get(FAMILY_CLAIM)
    if claim is None:
        return None
    try:
        return uuid.UUID(str(claim))
    except ValueError:
        raise InvalidToken("Token is invalid or expired") from None


def rotate_refresh_token(raw_token, *, from_cookie=False):
    """Exchange a refresh token for the family's next one (`Tokens`), or 401."""
    refresh = _verified(raw_token)
    family_id = family_id_of(refresh)
    if family_id is None:
        successor = _rotate_without_family(refresh, raw_token)
        return Tokens(successor.access_token, successor)
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
    if family.created_at <= oldest_live_sign_in():
        raise InvalidToken(TOO_OLD)
    jti = refresh[jwt_settings.JTI_CLAIM]
    if jti == family.current_jti:
        successor = _mint(family.user, family.id, family.created_at)
        changes = {**_as_current(successor), "previous_jti": jti, "rotated_at": timezone.now()}
        for field, value in changes.items():
            setattr(family, field, value)
        family.save(update_fields=list(changes))
        return Tokens(successor.access_token, successor)
    if from_cookie and jti == family.previous_jti and rotated_within_grace(family.rotated_at):
        # The browser's second refresh of the same cookie: an access token of the family, and
        # nothing that could refresh (the refresh minted here only carries the claims; it is dropped).
        return Tokens(_mint(family.user, family.id, family.created_at).access_token, None)
    revoke_families(SessionFamily.objects.filter(pk=family.pk), SessionFamily.Revoked.REUSE)
    return REUSED


@transaction.atomic
def _rotate_without_family(refresh, raw_token):
    """A token from before families: blacklisted by a unique insert that admits one caller."""
    user = get_user_model().objects.select_for_update().filter(pk=refresh.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=refresh[jwt_settings.JTI_CLAIM],
        # The jti identifies it; the token itself is not kept (a database copy must not be usable).
        defaults={"user": user, "token": "", "expires_at": datetime_from_epoch(refresh["exp"])},
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        raise InvalidToken("Token is blacklisted") from None
    return issue_tokens(user)


def live_user_id_of(raw_token):
    """The user of a refresh token that can still be exchanged (its family live, the token its
    current one or the one rotated out within the grace window), or None: the refresh throttle's key."""
    try:
        refresh = _verified(raw_token)
        family_id = family_id_of(refresh)
    except InvalidToken:
        return None
    if family_id is None:
        return None
    family = live_families().filter(pk=family_id).values("user_id", "current_jti", "previous_jti", "rotated_at").first()
    if family is None:
        return None
    jti = refresh[jwt_settings.JTI_CLAIM]
    just_rotated_out = jti == family["previous_jti"] and rotated_within_grace(family["rotated_at"])
    if jti == family["current_jti"] or just_rotated_out:
        return family["user_id"]
    return None


# --- revoking -------------------------------------------------------------------------------


def revoke_families(families, because):
    """Sign out these sign-ins (a SessionFamily queryset): every token of theirs is dead, their
    sockets are told (`sign_ins_ended`, acted on after commit). How many were live."""
    with transaction.atomic():
        ended = list(families.filter(revoked_at=None).select_for_update().values_list("id", flat=True))
        if not ended:
            return 0
        SessionFamily.objects.filter(id__in=ended).update(revoked_at=timezone.now(), revoked_because=because)
        sign_ins_ended.send(sender=SessionFamily, family_ids=ended)
    return len(ended)


@transaction.atomic
def replace_password(*, user, save_password):
    """Run `save_password` and revoke every refresh token issued before it (a password change,
    a reset): every sign-in of the user ends, its access tokens and sockets with it."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    save_password()
    revoke_families(SessionFamily.objects.filter(user=user), SessionFamily.Revoked.PASSWORD_CHANGE)
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in live], ignore_conflicts=True)


@transaction.atomic
def change_password(*, user, save_password):
    """replace_password(), and a new family for the caller, who stays signed in."""
    replace_password(user=user, save_password=save_password)
    return issue_tokens(user)


def end_session(raw_token):
    """Logout: revoke the token's family. A token that is already expired, revoked or malformed can
    no longer be used, so there is nothing left to end."""
    try:
        refresh = _verified(raw_token)
        family_id = family_id_of(refresh)
    except InvalidToken:
        return
    if family_id is None:
        with contextlib.suppress(TokenError):
            refresh.blacklist()
        return
    revoke_families(SessionFamily.objects.filter(pk=family_id), SessionFamily.Revoked.LOGOUT)


# --- who may get the cookies ------------------------------------------------------------------


def origin_is_trusted(request, origin):
    """This server's own origin, or one of the configured client origins (CSRF_TRUSTED_ORIGINS)."""
    return origin == f"{request.scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS


def check_cookie_setting_request(request, *, action="Signing in"):
    """Refuse to set (or clear) the auth cookies for a request another site could have made."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None and not origin_is_trusted(request, origin):
        raise PermissionDenied(f"{action} from {origin} is not allowed: that origin is not trusted.")
    if request.content_type.split(";")[0].strip().lower() != "application/json":
        enforce_csrf(request)


def hand_out_csrf_cookie(request, *, new_session=False):
    """Make sure the response sets the `csrftoken` cookie; a new sign-in gets a new token."""
    django_request = getattr(request, "_request", request)
    if new_session:
        rotate_token(django_request)
    get_token(django_request)
