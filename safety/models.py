"""Blocks and mutes: who shuts whom out. The rule they make is safety/visibility.py."""
from django.conf import settings
from django.db import models


def hidden_at_field():
    """When a moderator hid a post, comment or message (null: shown). Hidden content is shown to
    nobody until restored (safety/visibility.py)."""
    return models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a moderator hid it; hidden content is shown to nobody."
    )


class Block(models.Model):
    """`owner` blocks `blocked`: while it lasts, each is invisible to the other (safety/visibility.py),
    neither can follow or message the other, and nothing passes between them."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "blocked"], name="block_unique_owner_blocked"),
            models.CheckConstraint(condition=~models.Q(owner=models.F("blocked")), name="block_not_self"),
        ]
        indexes = [
            # "Who blocks me": the other half of every visibility check.
            models.Index(fields=["blocked", "owner"], name="block_blocked_idx"),
            models.Index(fields=["owner", "-created_at", "-id"], name="block_owner_newest_idx"),
        ]

    def __str__(self):
        return f"{self.owner} blocks {self.blocked}"


class Mute(models.Model):
    """`owner` mutes `muted`: the muted user's posts and comments leave the owner's lists and feed,
    and raise no notifications for the owner. The muted user notices nothing."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "muted"], name="mute_unique_owner_muted"),
            models.CheckConstraint(condition=~models.Q(owner=models.F("muted")), name="mute_not_self"),
        ]
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="mute_owner_newest_idx")]

    def __str__(self):
        return f"{self.owner} mutes {self.muted}"
