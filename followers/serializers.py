from rest_framework import serializers

from drf_api.serializers import OwnedModelSerializer, PrimaryKeyRelatedField
from followers.models import Follower
from safety.serializers import active_users


class FollowerSerializer(OwnedModelSerializer):
    """A follow: `owner` follows the user `followed`, at most once and never themselves."""

    followed = PrimaryKeyRelatedField(queryset=active_users(), help_text="The followed user's id.")
    followed_name = serializers.ReadOnlyField(source="followed.username")

    class Meta:
        model = Follower
        fields = ["id", "owner", "created_at", "followed", "followed_name"]

    def validate_followed(self, followed):
        if followed.id == self.context["request"].user.id:
            raise serializers.ValidationError("You cannot follow yourself.")
        return followed
