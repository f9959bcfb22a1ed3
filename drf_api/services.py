"""What every app's services share."""
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, connections, models, transaction
from rest_framework import serializers

M = TypeVar("M", bound=models.Model)


def create_once(model: type[M], *, guard: Callable[[], None] | None = None, **fields: Any) -> M:
    """A new row of `model`, created in a savepoint, with the database judging what no earlier
    check can. `guard` runs first, in the same transaction: locks and checks that the write
    needs (safety.services.hold_pair and what it protects), raising to refuse it.

    No read-then-write check: two identical requests at the same instant both reach the INSERT,
    the unique constraint lets one through, and the other gets 400 "possible duplicate". A row
    this one points at (a post, a user) deleted in that same instant fails the foreign key: that
    is a 400 on the field that names it, saying it is gone. PostgreSQL checks foreign keys when
    the transaction commits, so call this outside any transaction of one's own (its atomic block
    is then the one that commits, inside this try).
    """
    try:
        with transaction.atomic():
            if guard is not None:
                guard()
            return model._default_manager.create(**fields)
    except IntegrityError:
        gone = {
            name: [f"This {value._meta.verbose_name} has been deleted."]
            for name, value in fields.items()
            if isinstance(value, models.Model) and not type(value)._default_manager.filter(pk=value.pk).exists()
        }
        if gone:
            raise serializers.ValidationError(gone) from None
        if model._meta.total_unique_constraints:
            raise serializers.ValidationError({"detail": "possible duplicate"}) from None
        raise


def save_changes(row: M, **changes: Any) -> M:
    """`row` with `changes` set and saved. A row deleted meanwhile raises RowDeleted (a 404:
    drf_api.models.UpdateNeverInserts): an update never brings it back."""
    for field, value in changes.items():
        setattr(row, field, value)
    row.save()
    return row


def delete_rows(queryset: models.QuerySet) -> int:
    """Delete the rows `queryset` finds with one DELETE statement, how many: no model instances,
    no signals, no cascades (delete what points at them first, in the same transaction). For a
    service that deletes thousands of rows it has already dealt with (an account's deletion);
    everything else deletes through the ORM, whose signals and cascades it needs."""
    model = queryset.model
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN ({sql})", params
        )
        return cursor.rowcount
