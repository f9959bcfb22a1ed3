from django.contrib import admin

from realtime.models import OpenSocket


@admin.register(OpenSocket)
class OpenSocketAdmin(admin.ModelAdmin):
    """Sockets open now, on every server process (a user may hold WEBSOCKET_MAX_PER_USER)."""

    list_display = ["user", "channel_name", "opened_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        # A socket opening makes a row; nothing else does.
        return False

    def has_change_permission(self, request, obj=None):
        return False
