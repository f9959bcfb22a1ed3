"""How a message and a conversation are read and shown: their columns, declared once
(drf_api.reads). `%(user)s` is the caller, always one of the message's two participants.

A message also shows its conversation's newest message as the caller sees it (`last_message`,
`last_message_time`: after what a chat deletion hid), two probes of the thread index a row.
"""
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from drf_api.querysets import aware
from drf_api.reads import Column, ReadPath, callers_column, id_column, moment_column
from drf_api.serializers import DisplayDateField, UTCDateTimeField
from media.images import image_columns
from messaging.models import ChatDeletion, Message
from profiles.models import Profile
from profiles.reads import profile_image_column

MESSAGES, DELETIONS = Message._meta.db_table, ChatDeletion._meta.db_table
USERS, PROFILES = get_user_model()._meta.db_table, Profile._meta.db_table
PREVIEW_LENGTH = 50


def message_preview(text: str | None, request: Request | None = None) -> str:
    """The contract's `last_message`: the text, cut to 50 characters plus "..." when longer; "" when
    the caller sees no message of the conversation (one in a chat they deleted: the data export)."""
    if text is None:
        return ""
    return text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH] + "..."


def message_time_label(moment: datetime, now: datetime | None = None) -> str:
    """The contract's `last_message_time`: "09:31" today (UTC), "21 Aug" within a year, "21 Aug 2023" before."""
    now = now or timezone.now()
    moment = moment.astimezone(UTC)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M")
    if now - moment < timedelta(days=365):
        return moment.strftime("%d %b")
    return moment.strftime("%d %b %Y")


def shown_time_label(moment: datetime | None, request: Request | None = None) -> str:
    return "" if moment is None else message_time_label(moment)


@extend_schema_field({"type": "string", "example": "09:31"})
class ClockTimeField(UTCDateTimeField):
    """A moment's time of day, "09:31" (UTC)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)




HIDDEN_UP_TO = (
    f"COALESCE((SELECT d.up_to_message_id FROM {DELETIONS} AS d WHERE d.owner_id = %(user)s AND d.partner_id = "
    f"CASE WHEN {MESSAGES}.sender_id = %(user)s THEN {MESSAGES}.recipient_id ELSE {MESSAGES}.sender_id END), 0)"
)


def newest(column: str) -> str:
    """A column of the conversation's newest message the caller sees (not one a moderator hid)."""
    return (
        f"(SELECT n.{column} FROM {MESSAGES} AS n WHERE n.user_low = {MESSAGES}.user_low "
        f"AND n.user_high = {MESSAGES}.user_high AND n.id > {HIDDEN_UP_TO} AND n.hidden_at IS NULL "
        "ORDER BY n.id DESC LIMIT 1)"
    )


MESSAGE = ReadPath(
    "Message", "A message as its two participants see it, with its conversation's newest message.",
    f"{MESSAGES} LEFT JOIN {PROFILES} AS sp ON sp.owner_id = {MESSAGES}.sender_id "
    f"LEFT JOIN {PROFILES} AS rp ON rp.owner_id = {MESSAGES}.recipient_id", model=Message, columns=[
        id_column(MESSAGES),
        Column("sender", f"{MESSAGES}.sender_id",
               serializers.IntegerField(read_only=True, help_text="The sender's id.")),
        Column("recipient", f"{MESSAGES}.recipient_id",
               serializers.IntegerField(read_only=True, help_text="The recipient's id.")),
        Column("content", f"{MESSAGES}.content",
               serializers.CharField(read_only=True, help_text="The text; may be empty.")),
        *image_columns(MESSAGES, Message, description="The message's image"),
        moment_column("date", f"{MESSAGES}.timestamp", DisplayDateField(read_only=True)),
        moment_column("time", f"{MESSAGES}.timestamp", ClockTimeField(read_only=True)),
        moment_column("timestamp", f"{MESSAGES}.timestamp", UTCDateTimeField(format="iso-8601", read_only=True)),
        Column("read", f'{MESSAGES}."read"', serializers.BooleanField(read_only=True), load=bool),
        profile_image_column("sender_profile_image", "sp", "The sender's profile image."),
        profile_image_column("recipient_profile_image", "rp", "The recipient's profile image."),
        callers_column("is_sender", f"{MESSAGES}.sender_id", "Whether the caller sent it."),
        Column("last_message", newest("content"), serializers.CharField(
            read_only=True, help_text="The conversation's newest message, cut short."), show=message_preview),
        Column("last_message_time", newest("timestamp"), serializers.CharField(
            read_only=True, help_text="When it was sent: 09:31 today, 21 Aug this year, 21 Aug 2023 before."),
            load=aware, show=shown_time_label),
        moment_column("edited_at", f"{MESSAGES}.edited_at", UTCDateTimeField(
            format="iso-8601", read_only=True, allow_null=True, help_text="When its sender last edited it.")),
    ],
)

# The conversation list: its rows come from messaging.querysets.conversation_sql, whose CTE
# `newest` holds one row per partner (partner, hidden, last_id).
CONVERSATION = ReadPath(
    "Conversation", "One entry of GET /messages/: a partner and the newest message the caller sees.",
    f"newest AS n JOIN {MESSAGES} AS m ON m.id = n.last_id JOIN {USERS} AS u ON u.id = n.partner "
    f"LEFT JOIN {PROFILES} AS pr ON pr.owner_id = n.partner", columns=[
        Column("id", "n.partner", serializers.IntegerField(read_only=True, help_text="The other user's id.")),
        Column("username", "u.username",
               serializers.CharField(read_only=True, help_text="The other user's username.")),
        profile_image_column("recipient_profile_image", "pr", "The other user's profile image."),
        Column("last_message", "m.content", serializers.CharField(
            read_only=True, help_text="The newest message, cut to 50 characters."), show=message_preview),
        Column("last_message_time", "m.timestamp", serializers.CharField(
            read_only=True, help_text="When it was sent: 09:31 today, 21 Aug this year, 21 Aug 2023 before."),
            load=aware, show=shown_time_label),
        Column("unread_count", f"(SELECT COUNT(*) FROM {MESSAGES} AS r WHERE r.recipient_id = %(user)s "
               'AND r.sender_id = n.partner AND NOT r."read" AND r.id > n.hidden)',
               serializers.IntegerField(read_only=True, help_text="How many of the partner's messages are unread.")),
    ],
)
