from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from drf_api.models import UpdateNeverInserts
from media.stored import stored_image_fields
from safety.models import hidden_at_field
from safety.visibility import Visibility


class Message(UpdateNeverInserts):
    """A direct message. Newest means highest id: ids follow the order messages were sent."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_messages"
    )
    content = models.TextField(blank=True)
    image, image_width, image_height = stored_image_fields("images/messages/", "MESSAGE_IMAGE_MAX_SIDE")
    timestamp = models.DateTimeField(default=timezone.now, editable=False)
    read = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_at = hidden_at_field()
    # The conversation's key, whoever sent: (smaller user id, larger user id). Stored by the
    # database, so that one index scan reads a thread or a conversation's newest message.
    user_low = models.GeneratedField(
        expression=Least("sender", "recipient"), output_field=models.BigIntegerField(), db_persist=True
    )
    user_high = models.GeneratedField(
        expression=Greatest("sender", "recipient"), output_field=models.BigIntegerField(), db_persist=True
    )

    # Can be hidden; a block keeps the history between two people (safety/visibility.py).
    visibility = Visibility(content=("",))

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(sender=models.F("recipient")), name="message_not_to_self"),
            models.CheckConstraint(
                condition=~models.Q(content="", image=""), name="message_has_content_or_image"
            ),
        ]
        indexes = [
            # What threads and the conversation list show: messages not hidden by a moderator
            # (safety/visibility.py), found and counted in these indexes alone (make bench).
            models.Index(fields=["user_low", "user_high", "-id"], condition=models.Q(hidden_at__isnull=True),
                         name="message_thread_newest_idx"),
            models.Index(fields=["user_high", "user_low", "-id"], condition=models.Q(hidden_at__isnull=True),
                         name="message_thread_high_idx"),
            models.Index(
                fields=["recipient", "sender"], condition=models.Q(read=False), name="message_unread_idx"
            ),
        ]

    def __str__(self):
        return f"{self.sender} → {self.recipient}: {self.content[:30]}"


class ChatDeletion(models.Model):
    """`owner` deleted the chat with `partner`: messages up to `up_to_message_id` are hidden
    from the owner only. The partner's view, and every message, stay as they were."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    up_to_message_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "partner"], name="chat_deletion_unique_owner_partner"),
        ]

    def __str__(self):
        return f"{self.owner} deleted the chat with {self.partner}"
