from django.contrib import admin

from comments import services
from comments.models import Comment
from drf_api.admin import ServiceAdmin


@admin.register(Comment)
class CommentAdmin(ServiceAdmin):
    list_display = ["id", "owner", "post", "short_content", "created_at"]
    list_select_related = ["owner", "post"]
    search_fields = ["content", "owner__username", "post__title"]
    list_filter = ["created_at", "hidden_at"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "hidden_at"]

    @admin.display(description="content")
    def short_content(self, comment):
        return comment.content[:80]

    def create(self, fields):
        return services.comment_create(owner=fields["owner"], post=fields["post"], content=fields["content"])

    def update(self, row):
        services.comment_update(comment=row)

    def delete(self, row):
        services.comment_delete(comment=row)
