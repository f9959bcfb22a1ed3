"""Writes on the caller's notifications that have consequences beyond their rows. Views call these."""
from django.db import transaction
from django.db.models import Max

from notifications.models import Notification
from notifications.signals import notifications_read
from users.models import User


@transaction.atomic
def notifications_mark_read(*, recipient: User, up_to: int | None = None) -> int:
    """Mark `recipient`'s unread notifications read (all, or those with an id up to `up_to`); how
    many changed. The user's other tabs are told (`notifications_read`: the socket's
    `notification.read`, after commit)."""
    unread = Notification.objects.filter(recipient=recipient, read=False)
    if up_to is not None:
        unread = unread.filter(id__lte=up_to)
    newest = unread.aggregate(newest=Max("id"))["newest"]
    if newest is None:
        return 0
    updated = unread.filter(id__lte=newest).update(read=True)
    notifications_read.send(sender=Notification, recipient=recipient, up_to=newest)
    return updated
