from drf_spectacular.utils import extend_schema_serializer

from drf_api.images import optional_image
from drf_api.serializers import InputSerializer
from profiles.models import Profile


@extend_schema_serializer(component_name="Profile")
class ProfileInputSerializer(InputSerializer):
    """A profile as its owner changes it (the answer is the profile as everyone sees it)."""

    image = optional_image(2, "DEFAULT_PROFILE_IMAGE")

    class Meta:
        model = Profile
        fields = ["name", "content", "image"]
