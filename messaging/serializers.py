from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drf_api.images import absolute_media_url, optional_image, profile_image_url
from drf_api.serializers import DisplayDateField, StrictCharField, UTCDateTimeField, display_date
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


@extend_schema_field({"type": "string", "example": "09:31"})
class ClockTimeField(UTCDateTimeField):
    """A moment's time of day, "09:31" (UTC)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


clock_time = ClockTimeField().to_representation
iso_8601 = UTCDateTimeField(format="iso-8601").to_representation


class MessageSerializer(serializers.ModelSerializer):
    """A message as its two participants see it.

    `last_message` and `last_message_time` describe the conversation's newest message: the
    view passes it as `conversation_newest`; a message sent just now is its own newest.
    """

    content = StrictCharField(
        required=False, allow_blank=True, max_length=5000, help_text="The text; may be empty when an image is sent."
    )
    image = optional_image(5)
    date = DisplayDateField(source="timestamp", read_only=True)
    time = ClockTimeField(source="timestamp", read_only=True)
    timestamp = UTCDateTimeField(format="iso-8601", read_only=True)
    edited_at = UTCDateTimeField(format="iso-8601", read_only=True, allow_null=True)
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
        page's Python time (make bench); the values come from the declared methods and field
        classes, not from `self.fields`, whose building alone took longer than this whole method.
        messaging/tests holds the two equal, so a field added above and not here fails a test."""
        timestamp = message.timestamp
        return {
            "id": message.id,
            "sender": message.sender_id,
            "recipient": message.recipient_id,
            "content": message.content,
            "image": absolute_media_url(self.context.get("request"), message.image, "") if message.image else None,
            "image_width": message.image_width,
            "image_height": message.image_height,
            "date": display_date(timestamp),
            "time": clock_time(timestamp),
            "timestamp": iso_8601(timestamp),
            "read": message.read,
            "sender_profile_image": self.get_sender_profile_image(message),
            "recipient_profile_image": self.get_recipient_profile_image(message),
            "is_sender": self.get_is_sender(message),
            "last_message": self.get_last_message(message),
            "last_message_time": self.get_last_message_time(message),
            "edited_at": iso_8601(message.edited_at),
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
        return {
            "id": conversation.partner_id,
            "username": conversation.username,
            "recipient_profile_image": self.get_recipient_profile_image(conversation),
            "last_message": self.get_last_message(conversation),
            "last_message_time": self.get_last_message_time(conversation),
            "unread_count": conversation.unread_count,
        }
