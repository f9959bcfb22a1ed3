from django.contrib import admin

from posts.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "owner", "image_filter", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["title", "content", "owner__username"]
    list_filter = ["image_filter", "created_at"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
