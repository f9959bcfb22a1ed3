import django_filters

from drf_api.filters import IdFilter
from likes.models import Like


class LikeFilter(django_filters.FilterSet):
    post = IdFilter(field_name="post", label="Likes of the post with this id.")
    owner = IdFilter(field_name="owner", label="Likes by the user with this id.")

    class Meta:
        model = Like
        fields = ["post", "owner"]
