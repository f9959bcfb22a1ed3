"""Users, and the dj-rest-auth views adapted to the contract's auth table (rules: users/sessions.py)."""
from allauth.account.models import EmailAddress
from dj_rest_auth import views as rest_auth_views
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from dj_rest_auth.jwt_auth import set_jwt_access_cookie, set_jwt_cookies, set_jwt_refresh_cookie, unset_jwt_cookies
from dj_rest_auth.registration import views as registration_views
from django.contrib.auth.models import update_last_login
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.utils import datetime_from_epoch

from drf_api import background
from drf_api.throttling import AddressRateThrottle, TokenRefreshThrottle
from safety.views import VisibleToCaller
from users import sessions
from users.filters import UserFilter
from users.querysets import user_queryset
from users.serializers import (
    DetailSerializer,
    LogoutSerializer,
    PasswordChangeResultSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    ResendEmailVerificationSerializer,
    TokenPairSerializer,
    TokenRefreshResultSerializer,
    TokenRefreshSerializer,
    UserSerializer,
    VerifyEmailSerializer,
)

USERNAME_TAKEN = "A user with that username already exists."


class UserList(VisibleToCaller, generics.ListAPIView):
    """Every user's id and username, for signed-in callers only; `?username=` finds one by name."""

    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]
    queryset = user_queryset()
    filterset_class = UserFilter


class UserDetail(VisibleToCaller, generics.RetrieveAPIView):
    listing = False
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]
    queryset = user_queryset()


class SessionCookieViewMixin:
    """Views that set or clear the auth cookies refuse requests another site could have made."""

    cookie_action = "Signing in"  # what the refusal says is not allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        sessions.check_cookie_setting_request(request, action=self.cookie_action)


@extend_schema(responses={200: TokenPairSerializer})
class LoginView(SessionCookieViewMixin, rest_auth_views.LoginView):
    """Log in: both tokens in the body and as httpOnly cookies."""

    def login(self):
        super().login()
        # Without session login nothing else records it; admins read it in the user list.
        update_last_login(None, self.user)

    def get_response(self):
        response = super().get_response()
        # dj-rest-auth blanks the refresh token in the body when its cookie is httpOnly;
        # the contract keeps it there for clients that do not use cookies.
        response.data["refresh_token"] = str(self.refresh_token)
        sessions.hand_out_csrf_cookie(self.request, new_session=True)
        return response


@extend_schema(
    responses={201: OpenApiResponse(TokenPairSerializer, description="Signed up and signed in. With "
                                    "ACCOUNT_EMAIL_VERIFICATION=mandatory the body is only "
                                    '`{"detail": "Verification e-mail sent."}`: log in once the address is verified.')}
)
class RegisterView(SessionCookieViewMixin, registration_views.RegisterView):
    """Sign up: creates the user (and so its profile) and logs it in, as login does."""

    def perform_create(self, serializer):
        try:
            with transaction.atomic():
                return super().perform_create(serializer)
        except IntegrityError:
            # Two sign-ups with one username at the same instant: the database let one in.
            raise ValidationError({"username": [USERNAME_TAKEN]}) from None

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if getattr(self, "access_token", None) is None:
            # ACCOUNT_EMAIL_VERIFICATION=mandatory: no tokens until the address is verified.
            return response
        set_jwt_cookies(response, self.access_token, self.refresh_token)
        sessions.hand_out_csrf_cookie(request, new_session=True)
        return response


class UserDetailsView(rest_auth_views.UserDetailsView):
    """The signed-in user; a rename to a taken username is a 400, even in a race.

    Reading it also hands out the `csrftoken` cookie, so a browser app that starts from a
    stored session has the token for its writes.
    """

    def retrieve(self, request, *args, **kwargs):
        sessions.hand_out_csrf_cookie(request)
        return super().retrieve(request, *args, **kwargs)

    def perform_update(self, serializer):
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError:
            # Two renames to one username at the same instant: the database let one through.
            raise ValidationError({"username": [USERNAME_TAKEN]}) from None


@extend_schema(responses=PasswordChangeResultSerializer)
class PasswordChangeView(rest_auth_views.PasswordChangeView):
    """Change the password (the old one is required). Every refresh token issued before is revoked;
    this client gets fresh tokens, in the body and as cookies, so it stays signed in."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = sessions.change_password(user=request.user, save_password=serializer.save)
        access = refresh.access_token
        response = Response(
            {"detail": "New password has been saved.", "access_token": str(access), "refresh_token": str(refresh)}
        )
        set_jwt_cookies(response, access, refresh)
        sessions.hand_out_csrf_cookie(request)
        return response


class LogoutView(SessionCookieViewMixin, APIView):
    """Log out: end the sign-in of the refresh token (from the body or the cookie) and clear the
    cookies; its access tokens and open sockets end with it.

    A token that is already expired, blacklisted or malformed can no longer be used, so that
    is still a successful logout; sending no token at all is a 400. Like login, a request that
    another site could have made (a foreign `Origin`, or a form without the CSRF token) is a 403:
    a lone refresh cookie must not let any page sign its user out.
    """

    # Signing out needs no signed-in caller, only the refresh token: an access token of a
    # sign-in that already ended must not turn a logout into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "dj_rest_auth"
    serializer_class = LogoutSerializer
    cookie_action = "Signing out"

    @extend_schema(
        request=LogoutSerializer,
        responses={200: inline_serializer("LogoutResponse", {"detail": serializers.CharField()})},
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw_token = serializer.validated_data.get("refresh") or request.COOKIES.get(
            rest_auth_settings.JWT_AUTH_REFRESH_COOKIE
        )
        if raw_token:
            sessions.end_session(raw_token)
            response = Response({"detail": "Successfully logged out."})
        else:
            response = Response(
                {"refresh": ['No refresh token: send it as "refresh" or in the refresh cookie.']},
                status=status.HTTP_400_BAD_REQUEST,
            )
        unset_jwt_cookies(response)
        return response


class TokenRefreshView(SessionCookieViewMixin, APIView):
    """Exchange a refresh token for a new access and refresh token (rules: users/sessions.py).

    The refresh cookie wins over a token in the body. Rotation is on: the token used here is
    replaced, exactly once; the same cookie sent again within the grace window gets a fresh
    access token only (no `refresh`: the answer that rotated it carried the successor). What is
    handed out is set as cookies and returned in the body. A sign-in can be refreshed for
    `JWT_SESSION_MAX_DAYS` (30) from its login, then 401: sign in again. Throttled per user, as
    generously as the user rate, while the token's sign-in is live; by client address otherwise.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRefreshThrottle]

    def get_authenticate_header(self, request):
        # Without it DRF would turn this view's 401s into 403s.
        return f'{jwt_settings.AUTH_HEADER_TYPES[0]} realm="api"'

    def presented_token(self, request):
        """(the refresh token, whether it came as the cookie): the cookie wins over the body."""
        cookie = request.COOKIES.get(rest_auth_settings.JWT_AUTH_REFRESH_COOKIE)
        if cookie:
            return cookie, True
        serializer = TokenRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data.get("refresh"), False

    def refreshing_user_id(self, request):
        """The user whose live sign-in the presented token belongs to, or None (the throttle's key)."""
        try:
            raw_token, _ = self.presented_token(request)
        except ValidationError:
            return None
        return sessions.live_user_id_of(raw_token) if raw_token else None

    @extend_schema(
        request=TokenRefreshSerializer,
        responses={
            200: TokenRefreshResultSerializer,
            401: OpenApiResponse(
                inline_serializer(
                    "TokenRefreshError", {"detail": serializers.CharField(), "code": serializers.CharField()}
                ),
                description="The refresh token is missing, invalid, expired or already used, or its sign-in "
                "ended (logout, password change, an admin) or is older than JWT_SESSION_MAX_DAYS.",
            ),
        },
    )
    def post(self, request):
        raw_token, from_cookie = self.presented_token(request)
        if not raw_token:
            raise InvalidToken("No valid refresh token found.")
        tokens = sessions.rotate_refresh_token(raw_token, from_cookie=from_cookie)
        body = {"access": str(tokens.access), "access_expiration": datetime_from_epoch(tokens.access["exp"])}
        if tokens.refresh is not None:
            body.update(refresh=str(tokens.refresh), refresh_expiration=datetime_from_epoch(tokens.refresh["exp"]))
        response = Response(body)
        set_jwt_access_cookie(response, tokens.access)
        if tokens.refresh is not None:
            set_jwt_refresh_cookie(response, tokens.refresh)
        sessions.hand_out_csrf_cookie(request)
        return response


class AddressThrottled:
    """Mail-sending views: throttled per client (the auth rate, shared by every process) and per
    e-mail address asked for (THROTTLE_RATE_RESET_ADDRESS), known or not."""

    throttle_scope = "dj_rest_auth"
    throttle_classes = [*APIView.throttle_classes, AddressRateThrottle]


@extend_schema(
    request=PasswordResetSerializer,
    responses={200: OpenApiResponse(DetailSerializer, description="The same answer, byte for byte, whether or not "
                                    "an account has the address; the mail (to an active account only) leaves "
                                    "after it, with the link <FRONTEND_URL>/password-reset/confirm/<uid>/<token>/.")},
)
class PasswordResetView(AddressThrottled, rest_auth_views.PasswordResetView):
    """Ask for a password reset mail."""

    serializer_class = PasswordResetSerializer


@extend_schema(
    request=PasswordResetConfirmSerializer,
    responses={200: DetailSerializer},
)
class PasswordResetConfirmView(rest_auth_views.PasswordResetConfirmView):
    """Set a new password with the reset link's `uid` and `token` (400 when either is wrong, or the
    token was used or has expired: PASSWORD_RESET_TIMEOUT, 3 days). Every sign-in of the account
    ends: its refresh and access tokens are refused (401) and its sockets are closed."""

    serializer_class = PasswordResetConfirmSerializer


@extend_schema(request=VerifyEmailSerializer, responses={
    200: DetailSerializer,
    404: OpenApiResponse(inline_serializer("VerifyEmailNotFound", {"detail": serializers.CharField()}),
                         description="No address waits for this key: it is unknown or has expired (3 days)."),
})
class VerifyEmailView(registration_views.VerifyEmailView):
    """Verify an e-mail address with the key from the mailed link (404 for an unknown or expired key)."""

    throttle_scope = "dj_rest_auth"

    def get_serializer(self, *args, **kwargs):
        return VerifyEmailSerializer(*args, **kwargs)


@extend_schema(
    request=ResendEmailVerificationSerializer,
    responses={200: OpenApiResponse(DetailSerializer, description="The same answer whether or not the address "
                                    "is known or already verified; a mail goes only to an unverified one.")},
)
class ResendEmailVerificationView(AddressThrottled, registration_views.ResendEmailVerificationView):
    """Send the verification mail again."""

    serializer_class = ResendEmailVerificationSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        background.submit(send_verification, serializer.validated_data["email"])
        return Response({"detail": "ok"})


def send_verification(email):
    """Mail a new verification key to `email` if an account waits to verify it (looked up after the
    response, like a reset: the request does the same work for any address)."""
    address = EmailAddress.objects.filter(email__iexact=email, verified=False).first()
    if address is not None:
        address.send_confirmation(None)
