"""Notifications follow the social writes that cause them, inside the same transaction.

A follow, a like or a comment creates one for the person it concerns, never for one's own
action, and never across a block or from someone the recipient mutes. Undoing the cause
removes it through the foreign key's cascade (see the model).
"""
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from comments.models import Comment
from followers.models import Follower
from likes.models import Like
from notifications.models import Notification
from safety.models import Block
from safety.visibility import silenced

# Sent inside the transaction that marked a user's notifications read (notifications/services.py):
# recipient, up_to (every notification of theirs up to that id is now read).
notifications_read = Signal()


def notify(*, recipient_id, actor_id, **cause):
    """A notification, unless it is for one's own action or must not reach the recipient (a
    block either way, a mute by the recipient: safety.visibility.silenced)."""
    if recipient_id != actor_id and not silenced(recipient_id, actor_id):
        Notification.objects.create(recipient_id=recipient_id, actor_id=actor_id, **cause)


@receiver(post_save, sender=Follower, dispatch_uid="notifications.follow")
def on_follow(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        notify(recipient_id=instance.followed_id, actor_id=instance.owner_id, type="follow", follow=instance)


@receiver(post_save, sender=Like, dispatch_uid="notifications.like")
def on_like(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        notify(
            recipient_id=instance.post.owner_id, actor_id=instance.owner_id, type="like",
            like=instance, post_id=instance.post_id,
        )


@receiver(post_save, sender=Comment, dispatch_uid="notifications.comment")
def on_comment(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        notify(
            recipient_id=instance.post.owner_id, actor_id=instance.owner_id, type="comment",
            comment=instance, post_id=instance.post_id,
        )


@receiver(post_save, sender=Block, dispatch_uid="notifications.block")
def on_block(sender, instance, created, raw=False, **kwargs):
    """A block removes every notification between the two, both ways, in its transaction: one
    made by a like or comment that committed just before the block goes too (their follows go by
    cascade: followers/signals.py). Their sockets hear `notification.deleted`."""
    if created and not raw:
        one, other = instance.owner_id, instance.blocked_id
        Notification.objects.filter(Q(recipient=one, actor=other) | Q(recipient=other, actor=one)).delete()
