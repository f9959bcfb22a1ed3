"""The project's own table, the kept row counts (drf_api/counting.py, created by migration 0001 as
raw SQL), and what every app's models share: `UpdateNeverInserts`."""
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, models, router, transaction


class RowDeleted(ObjectDoesNotExist):
    """The row being written was deleted meanwhile (the API answers 404: drf_api/views.py)."""


class UpdateNeverInserts(models.Model):
    """A model whose saved rows are only ever updated: a save that finds its row gone raises
    RowDeleted instead of inserting it again.

    Django's save() of a row read from the database is an UPDATE that falls back to an INSERT
    when it touched nothing, so a PATCH racing the row's DELETE would bring the deleted row
    back. Here it is a forced UPDATE: the loser of that race creates nothing.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        try:
            # In a savepoint of its own: a caller's transaction stays usable after the 404.
            with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
                return super().save(*args, **{**kwargs, "force_update": True})
        except DatabaseError as error:
            # Django says "Forced update did not affect any rows." with a bare DatabaseError; a
            # database's own errors are its subclasses (IntegrityError, OperationalError, ...).
            if type(error) is DatabaseError:
                raise RowDeleted(f"{type(self).__name__} {self.pk} was deleted.") from error
            raise
