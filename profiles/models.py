from django.conf import settings
from django.db import models

from drf_api.models import UpdateNeverInserts
from media.stored import stored_image_fields
from safety.visibility import Visibility


class Profile(UpdateNeverInserts):
    """A user's public face: one per user, created with the user (see signals.py)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    name = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True, max_length=5_000)
    image, image_width, image_height = stored_image_fields("images/profiles/", "PROFILE_IMAGE_MAX_SIDE")

    # PostgreSQL keeps the table's row count (profiles/migrations/0004, drf_api/counting.py): the
    # whole list's `count` is read, not counted.
    rows_counted = True

    # Shows its owner (safety/visibility.py).
    visibility = Visibility(people=("owner",))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="profile_newest_idx")]

    def __str__(self):
        return f"{self.owner}'s profile"
