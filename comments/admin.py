from django.contrib import admin

from comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "post", "short_content", "created_at"]
    list_select_related = ["owner", "post"]
    search_fields = ["content", "owner__username", "post__title"]
    list_filter = ["created_at"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="content")
    def short_content(self, comment):
        return comment.content[:80]
