from drf_api.querysets import own_columns, person_columns
from notifications.models import Notification


def notification_queryset(user):
    """The user's notifications, newest first, with the actor's profile, the post and the comment joined."""
    return (
        Notification.objects.filter(recipient=user.id)
        .select_related("actor__profile", "post", "comment")
        .only(*own_columns(Notification), *person_columns("actor"), "post__id", "post__title", "post__image",
              "comment__id", "comment__content")
        .order_by("-id")
    )
