from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Moderation: what people were told, and whether they read it. Notifications follow their
    causes (follows, likes, comments), so they are never added or edited by hand."""

    list_display = ["id", "recipient", "actor", "type", "post", "created_at", "read"]
    list_select_related = ["recipient", "actor", "post"]
    list_filter = ["type", "read", "created_at"]
    search_fields = ["recipient__username", "actor__username"]
    fields = ["recipient", "actor", "type", "post", "comment", "like", "follow", "created_at", "read"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
