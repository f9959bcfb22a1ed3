"""Direct messages. Every view reads through messaging.querysets, which holds only the caller's
messages: a stranger's message id is a 404, never a 403 that would confirm it exists."""
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_api.filters import free_text_param
from drf_api.pagination import PageNumberPagination
from drf_api.querysets import person_columns
from drf_api.reads import ReadPathView
from messaging import services
from messaging.filters import ThreadFilter
from messaging.models import Message
from messaging.permissions import IsSender
from messaging.querysets import conversation_list, messages_visible_to, thread_queryset
from messaging.reads import CONVERSATION, MESSAGE
from messaging.serializers import MessageInputSerializer


def people():
    """Users as a conversation shows them: id, username, profile image (drf_api.querysets)."""
    return get_user_model().objects.select_related("profile").only(*person_columns())


def get_user_or_404(user_id):
    return get_object_or_404(people(), pk=user_id)


class ConversationList(APIView):
    """The caller's conversations, most recent first: a plain array, not paginated."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="messages_conversations",
        parameters=[OpenApiParameter("search", str, description="Only partners whose username contains this.")],
        responses=CONVERSATION.serializer(many=True),
    )
    def get(self, request):
        conversations = conversation_list(request.user, free_text_param(request, "search"))
        return Response([CONVERSATION.to_json(row, request) for row in conversations])


@extend_schema_view(get=extend_schema(operation_id="messages_thread"))
class Thread(ReadPathView, generics.ListAPIView):
    """The thread with one user: page 1 holds the newest messages, each page reads oldest to
    newest, and `next` leads to older messages. With `?after=<id>` (catching up after a
    reconnect): the messages newer than that one, oldest first, `next` leading to newer ones.
    404 for an unknown user."""

    read_path = MESSAGE
    serializer_class = MessageInputSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ThreadFilter
    # Pages read newest-first and each is shown oldest-first: by number only.
    pagination_class = PageNumberPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return thread_queryset(self.request.user, get_user_or_404(self.kwargs["user_id"]))

    def list(self, request, *args, **kwargs):
        thread = self.get_queryset()
        after = "after" in request.query_params
        ids = self.filter_queryset(thread).order_by("id") if after else thread
        page = self.paginate_queryset(MESSAGE.list(ids, self.read_params(), viewer=request.user))
        rows = page if after else reversed(page)
        return self.get_paginated_response([MESSAGE.to_json(row, request) for row in rows])


class SendMessage(ReadPathView, generics.CreateAPIView):
    """Send a message (this also starts or reopens a conversation): a text, an image, or both.
    403 while either of the two blocks the other (the conversation and its history stay)."""

    read_path = MESSAGE
    serializer_class = MessageInputSerializer
    permission_classes = [IsAuthenticated]

    def create(self, request, *args, **kwargs):
        recipient = people().filter(pk=kwargs["user_id"], is_active=True).first()
        if recipient is None:
            raise ValidationError({"detail": "There is no user with this id to send a message to."})
        if recipient.id == request.user.id:
            raise ValidationError({"detail": "You cannot send a message to yourself."})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_send(sender=request.user, recipient=recipient, **serializer.validated_data)
        return self.read_response(message.id, status=status.HTTP_201_CREATED)


class MarkRead(APIView):
    """Mark every message that user sent the caller as read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=inline_serializer("MarkReadResult", {"updated": serializers.IntegerField()}))
    def post(self, request, user_id):
        partner = get_user_or_404(user_id)
        return Response({"updated": services.messages_mark_read(reader=request.user, partner=partner)})


class OwnMessageMixin(ReadPathView):
    """One of the caller's visible messages; only its sender may act on it."""

    read_path = MESSAGE
    serializer_class = MessageInputSerializer
    permission_classes = [IsAuthenticated, IsSender]

    def get_queryset(self):
        return messages_visible_to(self.request.user)


class MessageUpdate(OwnMessageMixin, generics.UpdateAPIView):
    """Edit a message's text or image (sender only); the edit time is recorded."""

    def perform_update(self, serializer):
        services.message_update(message=serializer.instance, **serializer.validated_data)


class MessageDelete(OwnMessageMixin, generics.DestroyAPIView):
    """Delete a message for both participants (sender only)."""

    def perform_destroy(self, instance):
        services.message_delete(message=instance)


class ChatDelete(APIView):
    """Remove the conversation from the caller's view only; the other user keeps it whole."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, user_id):
        services.chat_delete(owner=request.user, partner=get_user_or_404(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
