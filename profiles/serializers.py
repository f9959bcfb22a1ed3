from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from drf_api.images import MB, ImageUploadField
from drf_api.serializers import STRICT_FIELD_MAPPING
from profiles.models import Profile


@extend_schema_serializer(component_name="Profile")
class ProfileInputSerializer(serializers.ModelSerializer):
    """A profile as its owner changes it (the answer is the profile as everyone sees it)."""

    serializer_field_mapping = STRICT_FIELD_MAPPING
    image = ImageUploadField(
        max_bytes=2 * MB,
        default_image_setting="DEFAULT_PROFILE_IMAGE",
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Profile
        fields = ["name", "content", "image"]
