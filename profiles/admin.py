from django.contrib import admin

from profiles.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "name", "created_at", "updated_at"]
    list_select_related = ["owner"]
    search_fields = ["owner__username", "name", "content"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
