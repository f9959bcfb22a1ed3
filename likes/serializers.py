from drf_api.serializers import OwnedModelSerializer
from likes.models import Like
from safety.serializers import VisibleRelatedField


class LikeSerializer(OwnedModelSerializer):
    """A like: `owner` likes `post`, at most once."""

    post = VisibleRelatedField(Like._meta.get_field("post").related_model, help_text="The liked post.")

    class Meta:
        model = Like
        fields = ["id", "owner", "post", "created_at"]
