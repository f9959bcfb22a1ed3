from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from drf_api.serializers import InputSerializer, StrictCharField
from media.images import optional_image
from messaging.models import Message


@extend_schema_serializer(component_name="Message")
class MessageInputSerializer(InputSerializer):
    """A message as its sender writes or edits it: a text, an image, or both (the answer is the
    message as its two participants see it)."""

    content = StrictCharField(
        required=False, allow_blank=True, max_length=5000, help_text="The text; may be empty when an image is sent."
    )
    image = optional_image(5)

    class Meta:
        model = Message
        fields = ["content", "image"]

    def validate(self, attrs):
        content = attrs.get("content", self.instance.content if self.instance else "")
        image = attrs.get("image", self.instance.image if self.instance else "")
        if not content and not image:
            raise serializers.ValidationError("A message needs a text, an image, or both.")
        return attrs
