from django.contrib import admin

from drf_api.admin import ServiceAdmin
from safety import services
from safety.models import Block, Mute


@admin.register(Block)
class BlockAdmin(ServiceAdmin):
    list_display = ["id", "owner", "blocked", "created_at"]
    list_select_related = ["owner", "blocked"]
    search_fields = ["owner__username", "blocked__username"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner", "blocked"]
    readonly_fields = ["created_at"]

    def create(self, fields):
        return services.block_create(owner=fields["owner"], blocked=fields["blocked"])

    def delete(self, row):
        services.block_delete(block=row)


@admin.register(Mute)
class MuteAdmin(ServiceAdmin):
    list_display = ["id", "owner", "muted", "created_at"]
    list_select_related = ["owner", "muted"]
    search_fields = ["owner__username", "muted__username"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner", "muted"]
    readonly_fields = ["created_at"]

    def create(self, fields):
        return services.mute_create(owner=fields["owner"], muted=fields["muted"])

    def delete(self, row):
        services.mute_delete(mute=row)
