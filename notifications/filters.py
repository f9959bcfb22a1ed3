import django_filters

from drf_api.filters import IdFilter
from notifications.models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="only_unread", label="true: only the unread ones."
    )
    after = IdFilter(field_name="id", lookup_expr="gt", label="Only those newer than this notification id (catch-up).")

    class Meta:
        model = Notification
        fields = ["unread", "after"]

    def only_unread(self, queryset, name, unread):
        return queryset.filter(read=False) if unread == "true" else queryset
