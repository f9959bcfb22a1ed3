from allauth.account.adapter import get_adapter
from dj_rest_auth import serializers as dj_rest_auth_serializers
from dj_rest_auth.serializers import UserDetailsSerializer
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from drf_api.serializers import STRICT_FIELD_MAPPING, StrictCharField
from media.images import profile_image_url
from users import sessions


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
