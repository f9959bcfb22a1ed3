from django.conf import settings
from django.db import models

from drf_api.media import StoredImageField
from drf_api.models import UpdateNeverInserts


class Profile(UpdateNeverInserts):
    """A user's public face: one per user, created with the user (see signals.py)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    name = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True, max_length=5_000)
    image = StoredImageField(upload_to="images/profiles/", blank=True, max_side_setting="PROFILE_IMAGE_MAX_SIDE")
    # What is stored (drf_api/media.py): null without an image.
    image_width = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The stored image's width in pixels; null without one."
    )
    image_height = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The stored image's height in pixels; null without one."
    )

    # PostgreSQL keeps the table's row count (profiles/migrations/0004, drf_api/counting.py): the
    # whole list's `count` is read, not counted.
    rows_counted = True

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="profile_newest_idx")]

    def __str__(self):
        return f"{self.owner}'s profile"
