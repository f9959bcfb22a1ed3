"""Users, and the dj-rest-auth views adapted to the contract's auth table."""
from dj_rest_auth import views as rest_auth_views
from dj_rest_auth.app_settings import api_settings as rest_auth_settings
from dj_rest_auth.jwt_auth import get_refresh_view, set_jwt_cookies, unset_jwt_cookies
from dj_rest_auth.registration import views as registration_views
from django.contrib.auth.models import update_last_login
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from users.querysets import user_list_queryset
from users.serializers import LogoutSerializer, TokenPairSerializer, UserSerializer


class UserList(generics.ListAPIView):
    """Every user's id and username, for signed-in callers only."""

    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]
    queryset = user_list_queryset()


class UserDetail(generics.RetrieveAPIView):
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]
    queryset = user_list_queryset()


@extend_schema(responses={200: TokenPairSerializer})
class LoginView(rest_auth_views.LoginView):
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
        return response


@extend_schema(responses={201: TokenPairSerializer})
class RegisterView(registration_views.RegisterView):
    """Sign up: creates the user (and so its profile) and logs it in, as login does."""

    def perform_create(self, serializer):
        try:
            with transaction.atomic():
                return super().perform_create(serializer)
        except IntegrityError:
            # Two sign-ups with one username at the same instant: the database let one in.
            raise ValidationError({"username": ["A user with that username already exists."]}) from None

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        set_jwt_cookies(response, self.access_token, self.refresh_token)
        return response


class LogoutView(APIView):
    """Log out: blacklist the refresh token (from the body or the cookie) and clear the cookies.

    A token that is already expired, blacklisted or malformed can no longer be used, so that
    is still a successful logout; sending no token at all is a 400.
    """

    permission_classes = [AllowAny]
    throttle_scope = "dj_rest_auth"
    serializer_class = LogoutSerializer

    @extend_schema(
        request=LogoutSerializer,
        responses={
            200: inline_serializer("LogoutResponse", {"detail": serializers.CharField()}),
            400: inline_serializer("LogoutError", {"refresh": serializers.ListField(child=serializers.CharField())}),
        },
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw_token = serializer.validated_data.get("refresh") or request.COOKIES.get(
            rest_auth_settings.JWT_AUTH_REFRESH_COOKIE
        )
        if raw_token:
            response = Response({"detail": "Successfully logged out."})
            try:
                RefreshToken(raw_token).blacklist()
            except TokenError:
                pass
        else:
            response = Response(
                {"refresh": ['No refresh token: send it as "refresh" or in the refresh cookie.']},
                status=status.HTTP_400_BAD_REQUEST,
            )
        unset_jwt_cookies(response)
        return response


@extend_schema(
    responses=inline_serializer(
        "TokenRefreshResult",
        {
            "access": serializers.CharField(),
            "refresh": serializers.CharField(),
            "access_expiration": serializers.DateTimeField(),
            "refresh_expiration": serializers.DateTimeField(),
        },
    )
)
class TokenRefreshView(get_refresh_view()):
    """Exchange a refresh token (body or cookie) for a new access and refresh token.

    Rotation is on: the refresh token used here is blacklisted. Both new tokens are set as
    cookies and also returned in the body, which dj-rest-auth would drop for httpOnly cookies.
    """

    throttle_scope = "dj_rest_auth"

    def finalize_response(self, request, response, *args, **kwargs):
        refresh = None
        if response.status_code == status.HTTP_200_OK and isinstance(response.data, dict):
            refresh = response.data.get("refresh")
        response = super().finalize_response(request, response, *args, **kwargs)
        if refresh:
            response.data["refresh"] = refresh
            response.data["refresh_expiration"] = timezone.now() + jwt_settings.REFRESH_TOKEN_LIFETIME
        return response
