from django.conf import settings
from django.db import models
from django.db.models import Q

from safety.visibility import Visibility


class Notification(models.Model):
    """Someone followed the recipient, liked their post or commented on it.

    The row points at its cause (the follow, like or comment) with a cascading foreign key, so
    undoing the cause (unfollow, unlike, deleting the comment or the post) removes the
    notification in the same statement: no notification ever points at something gone.
    """

    class Type(models.TextChoices):
        FOLLOW = "follow", "follow"
        LIKE = "like", "like"
        COMMENT = "comment", "comment"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=16, choices=Type.choices)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    like = models.ForeignKey("likes.Like", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    follow = models.ForeignKey(
        "followers.Follower", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)

    # Shows its actor (a mute silences them) and goes with a hidden post or comment
    # (safety/visibility.py).
    visibility = Visibility(people=("actor",), muted=("actor",), content=("post", "comment"))

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(recipient=models.F("actor")), name="notification_not_to_self"),
            models.CheckConstraint(
                condition=(
                    Q(type="follow", follow__isnull=False, like=None, comment=None, post=None)
                    | Q(type="like", like__isnull=False, post__isnull=False, follow=None, comment=None)
                    | Q(type="comment", comment__isnull=False, post__isnull=False, follow=None, like=None)
                ),
                name="notification_cause_matches_type",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            models.Index(fields=["recipient"], condition=Q(read=False), name="notification_unread_idx"),
        ]

    def __str__(self):
        return f"{self.actor} → {self.recipient}: {self.type}"
