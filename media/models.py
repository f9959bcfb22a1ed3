"""The media app's one table: stored files waiting to be deleted (media/stored.py)."""
from django.db import models
from django.utils import timezone


class PendingFileDeletion(models.Model):
    """A stored file that nothing shows any more: deleted after its transaction commits, and
    retried by `python manage.py purge_media` while the storage refuses."""

    name = models.CharField(max_length=255, help_text="The file's name in the media storage.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        # Made by drf_api's migration 0002, before this app was one; the table kept its name.
        db_table = "drf_api_pendingfiledeletion"

    def __str__(self):
        return self.name

    def record_failure(self, error):
        self.attempts += 1
        self.last_error = f"{type(error).__name__}: {error}"[:2000]
        self.save(update_fields=["attempts", "last_error"])
