from drf_api.serializers import DuplicateSafeCreateMixin, OwnedModelSerializer
from likes.models import Like


class LikeSerializer(DuplicateSafeCreateMixin, OwnedModelSerializer):
    class Meta:
        model = Like
        fields = ["id", "owner", "post", "created_at"]
