from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from drf_api.images import MB, ImageUploadField
from drf_api.serializers import STRICT_FIELD_MAPPING
from posts.models import Post


@extend_schema_serializer(component_name="Post")
class PostInputSerializer(serializers.ModelSerializer):
    """A post as its author writes it (the answer is the post as everyone sees it)."""

    serializer_field_mapping = STRICT_FIELD_MAPPING
    image = ImageUploadField(
        max_bytes=2 * MB,
        default_image_setting="DEFAULT_POST_IMAGE",
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Post
        fields = ["title", "content", "image", "image_filter"]
