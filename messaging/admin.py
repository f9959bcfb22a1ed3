from django.contrib import admin

from drf_api.admin import ServiceAdmin
from messaging import services
from messaging.models import ChatDeletion, Message


@admin.register(Message)
class MessageAdmin(ServiceAdmin):
    """Moderation: find messages by participant; what was said is not editable here."""

    list_display = ["id", "sender", "recipient", "short_content", "timestamp", "read", "edited_at"]
    list_select_related = ["sender", "recipient"]
    search_fields = ["sender__username", "recipient__username", "content"]
    list_filter = ["read", "timestamp", "hidden_at"]
    raw_id_fields = ["sender", "recipient"]
    readonly_fields = ["sender", "recipient", "content", "image", "timestamp", "edited_at", "hidden_at"]

    def has_add_permission(self, request):
        # Messages are sent through the API (messaging.services), never written by hand.
        return False

    @admin.display(description="content")
    def short_content(self, message):
        return message.content[:80]

    def delete(self, row):
        services.message_delete(message=row)


@admin.register(ChatDeletion)
class ChatDeletionAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "partner", "up_to_message_id", "deleted_at"]
    list_select_related = ["owner", "partner"]
    search_fields = ["owner__username", "partner__username"]
    raw_id_fields = ["owner", "partner"]
    readonly_fields = ["owner", "partner", "up_to_message_id", "deleted_at"]

    def has_add_permission(self, request):
        # A chat deletion is recorded by messaging.services.chat_delete, for the newest message.
        return False
