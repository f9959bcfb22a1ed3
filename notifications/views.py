"""The caller's notifications. Every query starts from the caller's own, so nobody sees or marks another's."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_api.parsers import JSONParser
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.querysets import notification_queryset
from notifications.serializers import MarkReadSerializer, NotificationSerializer
from notifications.services import notifications_mark_read
from safety.visibility import visible


class NotificationList(generics.ListAPIView):
    """The caller's notifications, newest first; `?unread=true`, and `?after=<id>` to catch up."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notification_queryset(self.request.user)


class UnreadCount(APIView):
    """How many of the caller's notifications are unread."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=inline_serializer("UnreadCount", {"count": serializers.IntegerField()}))
    def get(self, request):
        unread = visible(Notification.objects.filter(recipient=request.user, read=False), request.user)
        return Response({"count": unread.count()})


class MarkRead(APIView):
    """Mark the caller's notifications read: all of them, or those up to an id (a JSON body, or none).
    The caller's sockets (their other tabs) get `notification.read`."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=MarkReadSerializer,
        responses=inline_serializer("MarkNotificationsReadResult", {"updated": serializers.IntegerField()}),
    )
    def post(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = notifications_mark_read(recipient=request.user, up_to=serializer.validated_data.get("up_to"))
        return Response({"updated": updated})
