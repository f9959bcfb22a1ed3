from django.contrib import admin

from drf_api.admin import ServiceAdmin
from likes import services
from likes.models import Like


@admin.register(Like)
class LikeAdmin(ServiceAdmin):
    list_display = ["id", "owner", "post", "created_at"]
    list_select_related = ["owner", "post"]
    search_fields = ["owner__username", "post__title"]
    list_filter = ["created_at"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at"]

    def create(self, fields):
        return services.like_create(owner=fields["owner"], post=fields["post"])

    def delete(self, row):
        services.like_delete(like=row)
