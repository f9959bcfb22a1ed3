from django.contrib import admin

from drf_api.admin import ServiceAdmin
from profiles import services
from profiles.models import Profile


@admin.register(Profile)
class ProfileAdmin(ServiceAdmin):
    list_display = ["id", "owner", "name", "created_at", "updated_at"]
    list_select_related = ["owner"]
    search_fields = ["owner__username", "name", "content"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]

    def has_add_permission(self, request):
        # A profile is made with its user (profiles/signals.py).
        return False

    def update(self, row):
        services.profile_update(profile=row)
