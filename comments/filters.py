import django_filters

from comments.models import Comment
from drf_api.filters import IdFilter


class CommentFilter(django_filters.FilterSet):
    post = IdFilter(field_name="post", label="Comments on the post with this id.")

    class Meta:
        model = Comment
        fields = ["post"]
