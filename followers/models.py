from django.conf import settings
from django.db import models

from safety.visibility import Visibility


class Follower(models.Model):
    """`owner` follows `followed`: at most once, and never themselves (both enforced by the database)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following")
    followed = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed")
    created_at = models.DateTimeField(auto_now_add=True)

    # Shows both users (safety/visibility.py).
    visibility = Visibility(people=("owner", "followed"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "followed"], name="follower_unique_owner_followed"),
            models.CheckConstraint(condition=~models.Q(owner=models.F("followed")), name="follower_not_self"),
        ]
        indexes = [
            models.Index(fields=["followed", "-created_at"], name="follower_followed_newest_idx"),
            # The list's own order: a page is an index walk, not a sort of every follow.
            models.Index(fields=["-created_at", "-id"], name="follower_newest_idx"),
        ]

    def __str__(self):
        return f"{self.owner} follows {self.followed}"
