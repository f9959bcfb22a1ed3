"""Queryset building blocks shared by the apps' querysets.py."""
import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def subquery_count(queryset, outer_field, ref="pk"):
    """How many rows of `queryset` have `outer_field` equal to the outer row's `ref`.

    A correlated subquery, not a Count() join: two joined Count()s multiply each other, and
    a subquery over an indexed foreign key stays cheap at any page size.
    """
    rows = (
        queryset.filter(**{outer_field: OuterRef(ref)})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def callers_row_id(queryset, user):
    """The id of the caller's row in `queryset` (already correlated to the outer row), or null."""
    if not user.is_authenticated:
        return Value(None, output_field=IntegerField())
    return Subquery(queryset.filter(owner=user).values("id")[:1], output_field=IntegerField())


def aware(moment):
    """A date-time read by hand-written SQL: SQLite hands back naive UTC ones, PostgreSQL aware
    (a null stays null)."""
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def own_columns(model):
    """Every column of `model`, named for only() beside the few columns of a related model."""
    return [field.name for field in model._meta.concrete_fields]


def person_columns(path="", profile=True):
    """What a list shows of a person (a user, or one reached through `path`, say "owner"), named
    for only(): the user's id and username and, with `profile`, the profile's id and image.
    Never the password hash, email or flags (tests/test_columns.py holds every list to this)."""
    prefix = f"{path}__" if path else ""
    columns = [f"{prefix}id", f"{prefix}username"]
    return [*columns, f"{prefix}profile__id", f"{prefix}profile__image"] if profile else columns
