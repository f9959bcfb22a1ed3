from drf_api.serializers import ConstraintSafeCreateMixin, OwnedModelSerializer
from likes.models import Like


class LikeSerializer(ConstraintSafeCreateMixin, OwnedModelSerializer):
    """A like: `owner` likes `post`, at most once."""

    class Meta:
        model = Like
        fields = ["id", "owner", "post", "created_at"]
