from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from drf_api.serializers import InputSerializer, OwnerAwareModelSerializer
from media.images import optional_image, profile_image_url
from profiles.models import Profile


@extend_schema_serializer(component_name="Profile")
class ProfileInputSerializer(InputSerializer):
    """A profile as its owner changes it (the answer is the profile as everyone sees it)."""

    image = optional_image(2, "DEFAULT_PROFILE_IMAGE")

    class Meta:
        model = Profile
        fields = ["name", "content", "image"]


class AuthoredModelSerializer(OwnerAwareModelSerializer):
    """Adds the owner's profile id and image (the queryset must select `owner__profile`)."""

    profile_id = serializers.ReadOnlyField(source="owner.profile.id")
    profile_image = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_profile_image(self, obj):
        return profile_image_url(self.context.get("request"), obj.owner.profile)
