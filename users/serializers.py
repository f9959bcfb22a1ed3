from dj_rest_auth.serializers import UserDetailsSerializer
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drf_api.images import profile_image_url


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class CurrentUserSerializer(UserDetailsSerializer):
    """The signed-in user, as login, registration and /dj-rest-auth/user/ show it."""

    profile_id = serializers.IntegerField(source="profile.id", read_only=True)
    profile_image = serializers.SerializerMethodField()

    class Meta(UserDetailsSerializer.Meta):
        fields = (*UserDetailsSerializer.Meta.fields, "profile_id", "profile_image")

    @extend_schema_field(serializers.URLField())
    def get_profile_image(self, user):
        return profile_image_url(self.context.get("request"), getattr(user, "profile", None))


class TokenPairSerializer(serializers.Serializer):
    """Login and registration: both tokens in the body (Postman), and the user."""

    access_token = serializers.CharField(source="access")
    refresh_token = serializers.CharField(source="refresh")
    user = CurrentUserSerializer(read_only=True)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The refresh token to end; without it, the refresh cookie is used.",
    )
