import django_filters

from drf_api.filters import IdFilter
from messaging.models import Message


class ThreadFilter(django_filters.FilterSet):
    after = IdFilter(
        field_name="id", lookup_expr="gt",
        label="Catch-up: only the messages newer than this message id, oldest first.",
    )

    class Meta:
        model = Message
        fields = ["after"]
