from drf_api.serializers import OwnedModelSerializer
from likes.models import Like


class LikeSerializer(OwnedModelSerializer):
    """A like: `owner` likes `post`, at most once."""

    class Meta:
        model = Like
        fields = ["id", "owner", "post", "created_at"]
