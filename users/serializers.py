from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from dj_rest_auth import serializers as dj_rest_auth_serializers
from dj_rest_auth.forms import AllAuthPasswordResetForm
from dj_rest_auth.registration.serializers import ResendEmailVerificationSerializer as BaseResendSerializer
from dj_rest_auth.registration.serializers import VerifyEmailSerializer as BaseVerifyEmailSerializer
from dj_rest_auth.serializers import UserDetailsSerializer
from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from drf_api import background
from drf_api.serializers import STRICT_FIELD_MAPPING, StrictCharField
from media.images import profile_image_url
from users import sessions
from users.adapter import frontend_url


class StrictEmailField(serializers.EmailField):
    """An e-mail address, sent as a JSON string of at most 254 characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class CurrentUserSerializer(UserDetailsSerializer):
    """The signed-in user, as login, registration and /dj-rest-auth/user/ show it."""

    serializer_field_mapping = STRICT_FIELD_MAPPING

    # Read-only, and "" when none was given at sign-up: not always a valid address.
    email = serializers.CharField(read_only=True, help_text='The e-mail address given at sign-up, or "".')
    profile_id = serializers.IntegerField(source="profile.id", read_only=True)
    profile_image = serializers.SerializerMethodField()

    class Meta(UserDetailsSerializer.Meta):
        fields = (*UserDetailsSerializer.Meta.fields, "profile_id", "profile_image")

    def validate_username(self, username):
        """allauth's rules; a user keeping their own name (in any case) has not taken anyone's."""
        own = self.instance is not None and username.lower() == self.instance.username.lower()
        return get_adapter().clean_username(username, shallow=own)

    @extend_schema_field(serializers.URLField())
    def get_profile_image(self, user):
        return profile_image_url(self.context.get("request"), getattr(user, "profile", None))


class TokenPairSerializer(serializers.Serializer):
    """Login and registration: both tokens in the body (Postman), and the user."""

    access_token = serializers.CharField(source="access")
    refresh_token = serializers.CharField(source="refresh")
    user = CurrentUserSerializer(read_only=True)


class LogoutSerializer(serializers.Serializer):
    refresh = StrictCharField(
        required=False,
        allow_blank=True,
        help_text="The refresh token to end; without it, the refresh cookie is used.",
    )


class SessionTokenSerializer(TokenObtainPairSerializer):
    """dj-rest-auth mints login and registration tokens here: each sign-in starts a token family."""

    @classmethod
    def get_token(cls, user):
        return sessions.issue_tokens(user)


class LoginSerializer(dj_rest_auth_serializers.LoginSerializer):
    """The contract's login: a username and a password, both required (no e-mail login)."""

    username = StrictCharField()
    email = None


class TokenRefreshSerializer(serializers.Serializer):
    refresh = StrictCharField(
        required=False,
        help_text="The refresh token; without it, the refresh cookie is used.",
    )


class TokenRefreshResultSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(
        required=False,
        help_text="The new refresh token: the one sent is no longer valid. Absent when the same refresh cookie "
        "was sent again within the grace window (the first answer carried the new one).",
    )
    access_expiration = serializers.DateTimeField()
    refresh_expiration = serializers.DateTimeField(
        required=False, help_text="When the new refresh token expires (at the latest when its sign-in does)."
    )


class PasswordChangeResultSerializer(serializers.Serializer):
    detail = serializers.CharField()
    access_token = serializers.CharField(help_text="A fresh access token for this client.")
    refresh_token = serializers.CharField(
        help_text="A fresh refresh token for this client: every one issued before the change is revoked."
    )


def password_reset_url(request, user, token):
    """The browser app's page that asks for the new password: <FRONTEND_URL>/password-reset/confirm/<uid>/<token>/."""
    return frontend_url(f"/password-reset/confirm/{user_pk_to_url_str(user)}/{token}/")


def send_password_reset(email):
    """Mail a reset link to every active account of `email` (none: nothing is sent). Run after the
    response (drf_api.background): which accounts have the address is looked up here, too."""
    form = AllAuthPasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(None, from_email=settings.DEFAULT_FROM_EMAIL, token_generator=default_token_generator,
                  url_generator=password_reset_url)


class PasswordResetSerializer(serializers.Serializer):
    """Ask for a reset mail. The request only checks that `email` is an address and hands it to a
    worker thread (send_password_reset): the same work whether or not an account has it, so that
    neither the answer nor its timing tells."""

    email = StrictEmailField()

    def save(self):
        background.submit(send_password_reset, self.validated_data["email"])


class PasswordResetConfirmSerializer(dj_rest_auth_serializers.PasswordResetConfirmSerializer):
    """The reset link's `uid` and `token` with the new password twice. Every sign-in of the user
    ends with it (users.sessions.replace_password): old refresh and access tokens are refused."""

    new_password1 = StrictCharField(max_length=128)
    new_password2 = StrictCharField(max_length=128)
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)

    def save(self):
        sessions.replace_password(user=self.user, save_password=self.set_password_form.save)


class VerifyEmailSerializer(BaseVerifyEmailSerializer):
    key = StrictCharField(max_length=128)


class ResendEmailVerificationSerializer(BaseResendSerializer):
    email = StrictEmailField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
