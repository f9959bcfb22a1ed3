from django.contrib import admin

from likes.models import Like


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "post", "created_at"]
    list_select_related = ["owner", "post"]
    search_fields = ["owner__username", "post__title"]
    list_filter = ["created_at"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at"]
