from rest_framework import serializers

from drf_api.images import MB, ImageUploadField
from profiles.models import Profile


class ProfileSerializer(serializers.ModelSerializer):
    owner = serializers.ReadOnlyField(source="owner.username")
    user_id = serializers.ReadOnlyField(source="owner.id")
    is_owner = serializers.SerializerMethodField()
    image = ImageUploadField(
        max_bytes=2 * MB,
        default_image_setting="DEFAULT_PROFILE_IMAGE",
        required=False,
        allow_null=True,
        help_text="JPEG, PNG, GIF or WebP, at most 2 MB and 4096 px a side; null removes it.",
    )
    following_id = serializers.IntegerField(read_only=True, allow_null=True)
    posts_count = serializers.IntegerField(read_only=True)
    followers_count = serializers.IntegerField(read_only=True)
    following_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Profile
        fields = [
            "id", "owner", "user_id", "created_at", "updated_at", "name", "content", "image",
            "is_owner", "following_id", "posts_count", "followers_count", "following_count",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_is_owner(self, profile) -> bool:
        request = self.context.get("request")
        return request is not None and request.user.id == profile.owner_id

    def validate_image(self, image):
        # null means "remove my image": the default image shows again.
        return image if image is not None else ""
