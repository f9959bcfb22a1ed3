from notifications.models import Notification


def notification_queryset(user):
    """The user's notifications, newest first, with the actor's profile, the post and the comment joined."""
    return (
        Notification.objects.filter(recipient=user.id)
        .select_related("actor__profile", "post", "comment")
        .order_by("-id")
    )
