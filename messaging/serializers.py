from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drf_api.images import MB, ImageUploadField, absolute_media_url, profile_image_url
from drf_api.serializers import DisplayDateField, StrictCharField, display_date
from messaging.models import Message

PREVIEW_LENGTH = 50


def message_preview(text):
    """The contract's `last_message`: the text, cut to 50 characters plus "..." when longer."""
    return text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH] + "..."


def message_time_label(moment, now=None):
    """The contract's `last_message_time`: "09:31" today (UTC), "21 Aug" within a year, "21 Aug 2023" before."""
    now = now or timezone.now()
    moment = moment.astimezone(UTC)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M")
    if now - moment < timedelta(days=365):
        return moment.strftime("%d %b")
    return moment.strftime("%d %b %Y")


CLOCK_TIME = "%H:%M"


def iso_8601(moment):
    """What DRF's DateTimeField(format="iso-8601") renders (UTC, "Z")."""
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@extend_schema_field({"type": "string", "example": "09:31"})
class ClockTimeField(serializers.DateTimeField):
    """A moment's time of day, "09:31" (UTC)."""

    def __init__(self, **kwargs):
        super().__init__(format=CLOCK_TIME, **kwargs)


class MessageSerializer(serializers.ModelSerializer):
    """A message as its two participants see it.

    `last_message` and `last_message_time` describe the conversation's newest message: the
    view passes it as `conversation_newest`; a message sent just now is its own newest.
    """

    content = StrictCharField(
        required=False, allow_blank=True, max_length=5000, help_text="The text; may be empty when an image is sent."
    )
    image = ImageUploadField(
        max_bytes=5 * MB,
        required=False,
        allow_null=True,
    )
    date = DisplayDateField(source="timestamp", read_only=True)
    time = ClockTimeField(source="timestamp", read_only=True)
    timestamp = serializers.DateTimeField(format="iso-8601", read_only=True)
    edited_at = serializers.DateTimeField(format="iso-8601", read_only=True, allow_null=True)
    sender_profile_image = serializers.SerializerMethodField()
    recipient_profile_image = serializers.SerializerMethodField()
    is_sender = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    last_message_time = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id", "sender", "recipient", "content", "image", "image_width", "image_height", "date", "time",
            "timestamp", "read",
            "sender_profile_image", "recipient_profile_image", "is_sender", "last_message",
            "last_message_time", "edited_at",
        ]
        read_only_fields = ["sender", "recipient", "read"]

    def validate(self, attrs):
        content = attrs.get("content", self.instance.content if self.instance else "")
        image = attrs.get("image", self.instance.image if self.instance else "")
        if not content and not image:
            raise serializers.ValidationError("A message needs a text, an image, or both.")
        return attrs

    @extend_schema_field(serializers.URLField())
    def get_sender_profile_image(self, message):
        return profile_image_url(self.context.get("request"), message.sender.profile)

    @extend_schema_field(serializers.URLField())
    def get_recipient_profile_image(self, message):
        return profile_image_url(self.context.get("request"), message.recipient.profile)

    def get_is_sender(self, message) -> bool:
        return message.sender_id == self.context["request"].user.id

    def _conversation_newest(self, message):
        return self.context.get("conversation_newest") or message

    def get_last_message(self, message) -> str:
        return message_preview(self._conversation_newest(message).content)

    def get_last_message_time(self, message) -> str:
        return message_time_label(self._conversation_newest(message).timestamp)

    def to_representation(self, message):
        """The declared fields' output, written out: DRF's field-by-field path was most of a thread
        page's Python time (make bench). messaging/tests holds the two equal, so a field added
        above and not here fails a test."""
        request = self.context.get("request")
        newest = self._conversation_newest(message)
        return {
            "id": message.id,
            "sender": message.sender_id,
            "recipient": message.recipient_id,
            "content": message.content,
            "image": absolute_media_url(request, message.image, "") if message.image else None,
            "image_width": message.image_width,
            "image_height": message.image_height,
            "date": display_date(message.timestamp),
            "time": message.timestamp.astimezone(UTC).strftime(CLOCK_TIME),
            "timestamp": iso_8601(message.timestamp),
            "read": message.read,
            "sender_profile_image": profile_image_url(request, message.sender.profile),
            "recipient_profile_image": profile_image_url(request, message.recipient.profile),
            "is_sender": message.sender_id == self.context["request"].user.id,
            "last_message": message_preview(newest.content),
            "last_message_time": message_time_label(newest.timestamp),
            "edited_at": None if message.edited_at is None else iso_8601(message.edited_at),
        }


class ConversationSerializer(serializers.Serializer):
    """One entry of GET /messages/ (a `messaging.querysets.Conversation`)."""

    id = serializers.IntegerField(source="partner_id", help_text="The other user's id.")
    username = serializers.CharField()
    recipient_profile_image = serializers.SerializerMethodField(help_text="The other user's profile image.")
    last_message = serializers.SerializerMethodField()
    last_message_time = serializers.SerializerMethodField()
    unread_count = serializers.IntegerField()

    @extend_schema_field(serializers.URLField())
    def get_recipient_profile_image(self, conversation):
        request = self.context.get("request")
        return absolute_media_url(request, conversation.profile_image, settings.DEFAULT_PROFILE_IMAGE)

    def get_last_message(self, conversation) -> str:
        return message_preview(conversation.last_message)

    def get_last_message_time(self, conversation) -> str:
        return message_time_label(conversation.last_message_at)

    def to_representation(self, conversation):
        """The declared fields' output, written out: DRF's field-by-field path was 4 ms of the
        10 ms that 300 conversations take (make bench). messaging/tests holds the two equal."""
        request = self.context.get("request")
        return {
            "id": conversation.partner_id,
            "username": conversation.username,
            "recipient_profile_image": absolute_media_url(
                request, conversation.profile_image, settings.DEFAULT_PROFILE_IMAGE
            ),
            "last_message": message_preview(conversation.last_message),
            "last_message_time": message_time_label(conversation.last_message_at),
            "unread_count": conversation.unread_count,
        }
