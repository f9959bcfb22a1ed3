from rest_framework import serializers

from drf_api.images import MB, ImageUploadField
from drf_api.serializers import OwnerAwareModelSerializer
from profiles.models import Profile


class ProfileSerializer(OwnerAwareModelSerializer):
    user_id = serializers.ReadOnlyField(source="owner.id")
    image = ImageUploadField(
        max_bytes=2 * MB,
        default_image_setting="DEFAULT_PROFILE_IMAGE",
        required=False,
        allow_null=True,
    )
    following_id = serializers.IntegerField(read_only=True, allow_null=True)
    posts_count = serializers.IntegerField(read_only=True)
    followers_count = serializers.IntegerField(read_only=True)
    following_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Profile
        fields = [
            "id", "owner", "user_id", "created_at", "updated_at", "name", "content", "image", "image_width",
            "image_height",
            "is_owner", "following_id", "posts_count", "followers_count", "following_count",
        ]
        read_only_fields = ["created_at", "updated_at"]
