from drf_spectacular.utils import extend_schema_serializer

from drf_api.serializers import InputSerializer
from media.images import optional_image
from posts.models import Post


@extend_schema_serializer(component_name="Post")
class PostInputSerializer(InputSerializer):
    """A post as its author writes it (the answer is the post as everyone sees it)."""

    image = optional_image(2, "DEFAULT_POST_IMAGE")

    class Meta:
        model = Post
        fields = ["title", "content", "image", "image_filter"]
