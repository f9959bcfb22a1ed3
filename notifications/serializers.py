from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from media.images import image_url, profile_image_url
from notifications.models import Notification


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    profile_id = serializers.IntegerField(source="profile.id")
    profile_image = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_profile_image(self, user):
        return profile_image_url(self.context.get("request"), user.profile)


class NotifiedPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_image(self, post):
        return image_url(self.context.get("request"), post.image, "DEFAULT_POST_IMAGE")


class NotifiedCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    """A notification: who did what, to which post or with which comment, when, and whether it was read."""

    actor = ActorSerializer(read_only=True)
    post = NotifiedPostSerializer(read_only=True, allow_null=True)
    comment = NotifiedCommentSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(format="iso-8601", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "type", "actor", "post", "comment", "created_at", "read"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(
        required=False, min_value=1, help_text="Mark read only the notifications with this id or older."
    )
