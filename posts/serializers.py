from rest_framework import serializers

from drf_api.images import MB, ImageUploadField
from drf_api.serializers import AuthoredModelSerializer
from posts.models import Post


class PostSerializer(AuthoredModelSerializer):
    image = ImageUploadField(
        max_bytes=2 * MB,
        default_image_setting="DEFAULT_POST_IMAGE",
        required=False,
        allow_null=True,
    )
    like_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The caller's like of this post.")
    likes_count = serializers.IntegerField(read_only=True)
    comments_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Post
        fields = [
            "id", "owner", "is_owner", "profile_id", "profile_image", "created_at", "updated_at",
            "title", "content", "image", "image_filter", "like_id", "likes_count", "comments_count",
        ]
        read_only_fields = ["created_at", "updated_at"]
