from drf_api.querysets import own_columns, person_columns
from notifications.models import Notification
from safety.visibility import visible


def notification_queryset(user):
    """The user's notifications that they may see (safety/visibility.py: not from someone blocked
    either way, muted or deactivated, nor about hidden content), newest first, with the actor's
    profile, the post and the comment joined."""
    return (
        visible(Notification.objects.filter(recipient=user.id), user)
        .select_related("actor__profile", "post", "comment")
        .only(*own_columns(Notification), *person_columns("actor"), "post__id", "post__title", "post__image",
              "comment__id", "comment__content")
        .order_by("-id")
    )
