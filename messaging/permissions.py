from rest_framework import permissions


class IsSender(permissions.BasePermission):
    """Only the sender may change or delete a message (the recipient gets 403)."""

    message = "Only the sender can change or delete this message."

    def has_object_permission(self, request, view, obj):
        return obj.sender_id == request.user.id
