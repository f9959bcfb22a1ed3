"""python manage.py purge_media: delete the stored files whose deletion failed (or never ran).

Each replaced or deleted image is deleted from storage right after its transaction commits
(media/stored.py); one that the storage refused then (Cloudinary unreachable, a full disk)
waits in PendingFileDeletion. Run this from a scheduler (e.g. hourly); it exits with status 1
while some deletions still fail.
"""
from django.core.management.base import BaseCommand, CommandError

from media.models import PendingFileDeletion
from media.stored import purge


class Command(BaseCommand):
    help = "Delete the stored files that are waiting to be deleted (failed or interrupted deletions)."

    def handle(self, *args, **options):
        deleted = failed = 0
        for pending in PendingFileDeletion.objects.all().iterator():
            if purge(pending):
                deleted += 1
            else:
                failed += 1
                self.stderr.write(f"{pending.name}: {pending.last_error} (attempt {pending.attempts})")
        self.stdout.write(f"{deleted} deleted, {failed} still failing")
        if failed:
            raise CommandError(f"{failed} stored files could not be deleted; run purge_media again later")
