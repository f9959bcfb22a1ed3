from django.contrib.humanize.templatetags.humanize import naturaltime
from rest_framework import serializers

from comments.models import Comment
from profiles.serializers import AuthoredModelSerializer
from safety.serializers import VisibleRelatedField


def natural_time(moment):
    """"2 minutes ago", as the contract shows comment dates (Django joins with no-break spaces)."""
    return naturaltime(moment).replace("\xa0", " ")


class CommentSerializer(AuthoredModelSerializer):
    """A comment on a post, dated in natural time ("2 minutes ago")."""

    post = VisibleRelatedField(Comment._meta.get_field("post").related_model, help_text="The post commented on.")
    created_at = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id", "owner", "is_owner", "profile_id", "profile_image", "post",
            "created_at", "updated_at", "content",
        ]

    def get_created_at(self, comment) -> str:
        return natural_time(comment.created_at)

    def get_updated_at(self, comment) -> str:
        return natural_time(comment.updated_at)


class CommentDetailSerializer(CommentSerializer):
    """After creation a comment stays on its post: a `post` sent here is ignored."""

    post = serializers.ReadOnlyField(source="post.id")
