from django.contrib import admin

from media.models import PendingFileDeletion


@admin.register(PendingFileDeletion)
class PendingFileDeletionAdmin(admin.ModelAdmin):
    """Stored files whose deletion failed: `python manage.py purge_media` retries them."""

    list_display = ["name", "created_at", "attempts", "last_error"]
    readonly_fields = ["name", "created_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
