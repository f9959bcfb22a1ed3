"""What the socket pushes, decided where the writes happen: after the transaction commits.

Each write that concerns a user (a message sent, edited, deleted or read, a notification made,
read or removed) is queued with `transaction.on_commit`, so a write that rolls back pushes nothing.
Each queued event goes to the group of every person it concerns, `user.<id>` (never across a
block: safety.visibility); the consumer
turns it into the REST representation for that person (realtime/consumers.py).
"""
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from messaging.models import Message
from messaging.signals import messages_read
from notifications.models import Notification
from notifications.signals import notifications_read
from safety.visibility import apart
from users.signals import sign_ins_ended


def user_group(user_id):
    return f"user.{user_id}"


def sign_in_group(family_id):
    """Every socket opened with an access token of one sign-in (a session family)."""
    return f"sign-in.{family_id}"


def send_after_commit(group, message):
    """Queue a channel-layer `message` for `group`, sent once the current transaction commits."""
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, message))


def push_after_commit(user_id, event, **payload):
    """Queue `event` for `user_id`'s sockets, sent once the current transaction commits. Each push
    has a `key` of its own: the user's sockets in one process render it once between them
    (realtime/consumers.py)."""
    send_after_commit(user_group(user_id), {"type": "live.event", "event": event, "key": uuid.uuid4().hex, **payload})


def concerned(actor_id, other_id):
    """Whom an event of `actor_id`'s write about a conversation with `other_id` goes to: both of
    them, or only the actor while either blocks the other (nothing passes between them)."""
    return (actor_id,) if apart(actor_id, other_id) else (actor_id, other_id)


@receiver(post_save, sender=Message, dispatch_uid="realtime.message_saved")
def message_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    event = "message.created" if created else "message.updated"
    for user_id in concerned(instance.sender_id, instance.recipient_id):
        push_after_commit(user_id, event, id=instance.id)


@receiver(post_delete, sender=Message, dispatch_uid="realtime.message_deleted")
def message_deleted(sender, instance, **kwargs):
    for user_id in concerned(instance.sender_id, instance.recipient_id):
        partner_id = instance.recipient_id if user_id == instance.sender_id else instance.sender_id
        push_after_commit(user_id, "message.deleted", data={"id": instance.id, "partner": partner_id})


@receiver(messages_read, dispatch_uid="realtime.conversation_read")
def conversation_read(sender, reader, partner, up_to, **kwargs):
    for user_id in concerned(reader.id, partner.id):
        other_id = partner.id if user_id == reader.id else reader.id
        push_after_commit(
            user_id, "conversation.read", data={"partner": other_id, "reader": reader.id, "up_to": up_to}
        )


@receiver(post_save, sender=Notification, dispatch_uid="realtime.notification_created")
def notification_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        push_after_commit(instance.recipient_id, "notification.created", id=instance.id)


@receiver(notifications_read, dispatch_uid="realtime.notifications_read")
def notifications_were_read(sender, recipient, up_to, **kwargs):
    push_after_commit(recipient.id, "notification.read", data={"up_to": up_to})


@receiver(post_delete, sender=Notification, dispatch_uid="realtime.notification_deleted")
def notification_deleted(sender, instance, **kwargs):
    push_after_commit(instance.recipient_id, "notification.deleted", data={"id": instance.id})


@receiver(sign_ins_ended, dispatch_uid="realtime.sign_ins_ended")
def close_sockets_of_ended_sign_ins(sender, family_ids, **kwargs):
    """Sockets of a sign-in that ended close (4003) once the revocation commits."""
    for family_id in family_ids:
        send_after_commit(sign_in_group(family_id), {"type": "live.signed_out"})
