from django.contrib import admin

from drf_api.admin import ServiceAdmin
from posts import services
from posts.models import Post


@admin.register(Post)
class PostAdmin(ServiceAdmin):
    list_display = ["id", "title", "owner", "image_filter", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["title", "content", "owner__username"]
    list_filter = ["image_filter", "created_at", "hidden_at"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "hidden_at"]

    def create(self, fields):
        return services.post_create(**fields)

    def update(self, row):
        services.post_update(post=row)

    def delete(self, row):
        services.post_delete(post=row)
