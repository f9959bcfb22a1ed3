"""Read paths: how each resource is read and shown, declared once.

A resource's read path is one table of columns (posts/reads.py, profiles/reads.py,
messaging/reads.py): each names a field, the SQL expression that reads it and how its value is
shown. From that table come the
SELECT, the row type (a named tuple: immutable, attribute access by name), the JSON of a row and
the schema's response component. The ORM only finds which rows, in which order (filters, search,
ordering, paging); a list page and the detail are then read by the same fixed statement.

Why hand-written SQL rather than the ORM for the rows: compiling the ORM's equivalent and
building model instances a row was half of GET /posts/'s time (make bench), and a fixed text is
prepared by psycopg after a few uses, so PostgreSQL does not parse it again either.

SQL parameters are named (`%(user)s`, the caller's id, however often a column needs it).

What a caller may see is not the read path's to decide: its model's `visibility` (the rule is
safety/visibility.py) gives the condition, which a list applies to its ids and a detail read to
its one row, so that a row the caller must not see is missing from every page and a 404 at its URL.
"""
from __future__ import annotations

import copy
import re
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from drf_api.counting import count_sql, reads_stored_count
from drf_api.pagination import PagedRead
from drf_api.querysets import aware

Params = Mapping[str, Any]


class Visibility(Protocol):
    """What a viewer may see of a model's rows: the model's `visibility` (safety.visibility)."""

    def q(self, viewer: Any, *, listing: bool = True) -> Q: ...

    def not_shown(self, model: type[Model], viewer: Any, *, listing: bool = True) -> list[tuple[str, list]]: ...


def where_sql(model: type[Model], condition: Q, using: str) -> tuple[str, list[Any]]:
    """`condition` as SQL over `model`'s own table (named as the table), to add to a WHERE."""
    query = model._default_manager.filter(condition).query
    if sum(1 for count in query.alias_refcount.values() if count) > 1:
        raise ValueError(f"A read path's visibility must need no join ({model.__name__}).")
    sql, params = query.get_compiler(using).compile(query.where)
    return sql, list(params)


# A user id no row has: a viewer's visibility condition is compiled once, for this id, and run for
# any viewer's (per_viewer).
SOME_VIEWER = -(2**62)
_compiled: dict[tuple, tuple[str, int]] = {}


def per_viewer(key: tuple, viewer: Any, build: Callable[[Any], tuple[str, Sequence[Any]]]) -> tuple[str, list[Any]]:
    """`build(viewer)`: (SQL, params) of a condition on what a viewer may see, compiled by the ORM
    once per `key` and kind of viewer (signed in or not), when its only parameters are the viewer's
    id; then only the parameters change. Compiling the safety rule's conditions was a third of the
    processor time of GET /posts/ (make bench)."""
    user = getattr(viewer, "id", viewer)
    cache_key = (*key, user is None)
    compiled = _compiled.get(cache_key)
    if compiled is None:
        sql, params = build(None if user is None else SOME_VIEWER)
        if any(param != SOME_VIEWER for param in params):
            sql, params = build(viewer)  # other parameters: compiled each time
            return sql, list(params)
        compiled = _compiled[cache_key] = (sql, len(params))
    sql, count = compiled
    return sql, [user] * count


def caller_params(user: Any) -> dict[str, Any]:
    """A read path's parameters for a caller: `%(user)s`, their id (null when signed out)."""
    return {"user": user.id}


@dataclass(frozen=True)
class Column:
    """One field of a resource as it is read and shown.

    `name` is the row's attribute and the JSON key; `sql` the expression that reads it, over the
    read path's tables (the main table by its own name, so that the ORM can order by the same
    expression); `output` the DRF field that documents its JSON in the schema. `load` turns the
    database's value into the row's (say, a naive SQLite date-time into an aware one), `show` the
    row's value into JSON, given the request (say, a file name into an absolute URL); either is
    left out when the value passes as it is.
    """

    name: str
    sql: str
    output: serializers.Field
    load: Callable[[Any], Any] | None = None
    show: Callable[[Any, Request | None], Any] | None = None


def id_column(table: str) -> Column:
    """The row's id (a read path's key: the column named `id`)."""
    return Column("id", f"{table}.id", serializers.IntegerField(read_only=True))


def moment_column(name: str, sql: str, output: serializers.Field) -> Column:
    """A date-time, made aware as it is read and shown as its `output` field renders it (say, a
    DisplayDateField: "27 Aug 2024")."""
    return Column(name, sql, output, load=aware, show=lambda moment, request: output.to_representation(moment))


def callers_column(name: str, user_column: str, help_text: str) -> Column:
    """Whether the caller is the user in `user_column` (false when signed out)."""
    return Column(name, f"{user_column} = %(user)s", serializers.BooleanField(read_only=True, help_text=help_text),
                  load=bool)


class ReadSerializer(serializers.Serializer):
    """The response of a read path, for DRF's rendering and the schema's component: its fields
    are the columns' `output` fields; a row is rendered by the read path, not field by field."""

    read_path: ReadPath

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return self.read_path.to_json(instance, self.context.get("request"))


class ReadPath:
    """A resource's columns read from `tables` (a FROM clause); the column named `id` is the row's
    key. Columns can still be added (`add`) until the read path is first used. With a `model`
    whose rows declare a `visibility`, a caller reads only what they may see."""

    def __init__(self, name: str, description: str, tables: str, *, columns: Sequence[Column],
                 model: type[Model] | None = None) -> None:
        self.name, self.description, self.tables, self.model = name, description, tables, model
        self.columns = list(columns)

    @property
    def visibility(self) -> Visibility | None:
        return getattr(self.model, "visibility", None)

    def shown(self, viewer: Any, *, listing: bool) -> Q | None:
        """The condition that `viewer` may see a row (None: every row is shown)."""
        visibility = self.visibility
        return None if visibility is None else visibility.q(viewer, listing=listing)

    def shown_sql(self, viewer: Any, *, listing: bool, using: str) -> tuple[str, list[Any]] | None:
        """shown() as SQL over the main table (None: every row is shown)."""
        visibility, model = self.visibility, self.model
        if visibility is None or model is None:
            return None
        return per_viewer(("shown", self.name, listing, using), viewer,
                          lambda someone: where_sql(model, visibility.q(someone, listing=listing), using))

    def not_shown_sql(self, viewer: Any, using: str) -> tuple[str, list[Any]]:
        """How many rows of the whole table `viewer` does not see in a list, as SQL terms to add to
        its row count (`- (SELECT COUNT(*) …) - (…)`, each answered by an index)."""
        visibility, model = self.visibility, self.model
        assert visibility is not None and model is not None

        def build(someone: Any) -> tuple[str, list[Any]]:
            terms: list[str] = []
            params: list[Any] = []
            for term_sql, term_params in visibility.not_shown(model, someone, listing=True):
                terms.append(f"- ({term_sql})")
                params += term_params
            return " ".join(terms), params

        return per_viewer(("not shown", self.name, using), viewer, build)

    def add(self, column: Column, *, before: str) -> None:
        """Another app's column, shown before the column named `before` (profiles show how many
        posts their owner wrote: the posts app adds that, so that profiles need not know posts)."""
        if any(isinstance(getattr(type(self), name, None), cached_property) for name in self.__dict__):
            raise RuntimeError(f"{self.name}'s read path is in use already: add columns in AppConfig.ready().")
        names = [each.name for each in self.columns]
        self.columns.insert(names.index(before), column)

    @cached_property
    def row_type(self) -> type[tuple]:
        """The rows' type: a named tuple of the columns, in their order."""
        return namedtuple(f"{self.name}Row", [column.name for column in self.columns])

    @cached_property
    def columns_sql(self) -> str:
        return ", ".join(column.sql for column in self.columns)

    @cached_property
    def select(self) -> str:
        """SELECT … FROM …: the columns over the tables, with no WHERE."""
        return f"SELECT {self.columns_sql} FROM {self.tables}"

    @cached_property
    def _key_index(self) -> int:
        """Where the row's id is: the column named `id`."""
        return [column.name for column in self.columns].index("id")

    @cached_property
    def key(self) -> str:
        """The SQL of the row's id."""
        return self.columns[self._key_index].sql

    @cached_property
    def _loads(self) -> list[tuple[int, Callable[[Any], Any]]]:
        return [(index, column.load) for index, column in enumerate(self.columns) if column.load is not None]

    @cached_property
    def _shows(self) -> list[tuple[str, Callable[[Any, Request | None], Any] | None]]:
        return [(column.name, column.show) for column in self.columns]

    def row(self, values: Sequence[Any]) -> tuple:
        """A row from the database's values, in the columns' order."""
        if not self._loads:
            return self.row_type._make(values)  # type: ignore[attr-defined]
        loaded = list(values)
        for index, load in self._loads:
            loaded[index] = load(loaded[index])
        return self.row_type._make(loaded)  # type: ignore[attr-defined]

    def to_json(self, row: Sequence[Any], request: Request | None) -> dict[str, Any]:
        """A row as the API shows it."""
        return {
            name: value if show is None else show(value, request)
            for (name, show), value in zip(self._shows, row, strict=True)
        }

    @cached_property
    def serializer(self) -> type[ReadSerializer]:
        """The response's serializer: its fields document the JSON (the schema's `Name` component)."""
        # Copies, made in the columns' order: DRF orders a serializer's fields by their creation.
        fields = {column.name: copy.deepcopy(column.output) for column in self.columns}
        return type(
            f"{self.name}Serializer", (ReadSerializer,), {**fields, "read_path": self, "__doc__": self.description}
        )

    def annotation(self, name: str, output_field: Field) -> RawSQL:
        """The column named `name` as an ORM expression, to order the ids by; it must take no
        parameters (the ORM's are positional)."""
        column = next(column for column in self.columns if column.name == name)
        return RawSQL(column.sql, (), output_field=output_field)

    def read(self, ids: Sequence[int], params: Params, using: str | None = None, viewer: Any = None) -> list[tuple]:
        """The rows of `ids`, in that order; a row deleted meanwhile, or, with a `viewer`, one
        they must not see at its URL, is left out. From `using`, or where the router sends the
        model's reads (a replica: drf_api/replicas.py)."""
        if not ids:
            return []
        using = using or router.db_for_read(self.model)  # type: ignore[arg-type]  # no model: routed as any read
        names: dict[str, Any] = {f"id_{index}": pk for index, pk in enumerate(ids)}
        where = f" WHERE {self.key} IN ({', '.join(f'%({name})s' for name in names)})"
        shown = None if viewer is None else self.shown_sql(viewer, listing=False, using=using)
        if shown is not None:
            shown_sql, shown_params = named(*shown, prefix="shown_")
            where, names = f"{where} AND ({shown_sql})", {**names, **shown_params}
        with connections[using].cursor() as cursor:
            cursor.execute(self.select + where, {**params, **names})
            by_id = {row[self._key_index]: row for row in map(self.row, cursor.fetchall())}
        return [by_id[pk] for pk in ids if pk in by_id]

    def read_one(self, pk: int, params: Params, using: str | None = None, viewer: Any = None) -> tuple | None:
        """The row of `pk`, or None when there is none (or the `viewer` must not see it)."""
        rows = self.read([pk], params, using, viewer)
        return rows[0] if rows else None

    def read_page(self, rows: ReadList, counted: ReadList | None = None) -> tuple[list, int | None]:
        """The rows that `rows` finds (its ids: filtered, ordered, sliced, what the caller may see)
        and, on PostgreSQL, the count of `counted` when it is given (None when it is not known).

        On PostgreSQL one statement does it all: the ids query (as the ORM compiled it) becomes a
        CTE whose array also gives the order, and the count (drf_api.counting.count_sql) comes
        along as a scalar subquery. Elsewhere the ids are read first, then the rows.
        """
        params, connection = rows.params, connections[rows.whole.db]
        if connection.vendor != "postgresql":
            return self.read(list(rows.ids.values_list("pk", flat=True)), params, rows.whole.db), None
        try:
            ids_sql, ids_params = named(*self.ids_sql(rows), prefix="ids_")
            total_sql, total_params = "NULL", dict[str, Any]()
            if counted is not None:
                total_sql, total_params = counted.count_query()
        except EmptyResultSet:  # a filter that can match nothing, e.g. the feed of nobody followed
            return [], 0
        sql = (
            "WITH page AS MATERIALIZED (SELECT "
            f"ARRAY(SELECT ids.pk FROM ({ids_sql}) AS ids) AS ids, ({total_sql}) AS total) "
            f"SELECT {self.columns_sql}, page.total FROM page, {self.tables} "
            f"WHERE {self.key} = ANY(page.ids) ORDER BY array_position(page.ids, {self.key})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, **ids_params, **total_params})
            fetched = cursor.fetchall()
        return [self.row(values[:-1]) for values in fetched], (fetched[0][-1] if fetched else None)

    def ids_sql(self, rows: ReadList) -> tuple[str, Sequence[Any]]:
        """The SQL of a list's ids, as the ORM compiles it (a read path may know a faster text)."""
        return rows.ids.values("pk").query.get_compiler(rows.ids.db).as_sql()

    def list(self, ids: QuerySet, params: Params, viewer: Any = None) -> ReadList:
        """`ids` (a queryset: filtered, ordered) as a list the paginators page; with a `viewer`,
        only what they may see in a list."""
        return ReadList(self, ids, params, viewer)


def named(sql: str, params: Sequence[Any], prefix: str) -> tuple[str, dict[str, Any]]:
    """The ORM's SQL with positional parameters (`%s`) as named ones (`%(<prefix>0)s`, …), to run
    inside a statement of named parameters."""
    values: dict[str, Any] = {}

    def rename(match: re.Match[str]) -> str:
        if match.group() == "%%":
            return "%%"
        name = f"{prefix}{len(values)}"
        values[name] = params[len(values)]
        return f"%({name})s"

    return re.sub(r"%[%s]", rename, sql), values


class ReadList(PagedRead):
    """A list as the paginators page it: the ORM's part (`whole`: filters, ordering), what the
    `viewer` may see of it (`shown`), a page of it (`bounds`), read in full by a read path.

    Filtering and ordering apply to the whole and give another ReadList, slicing (what a
    paginator does) marks the page; `ids` is the page's ids; iterating reads the rows (one
    statement on PostgreSQL).
    """

    def __init__(self, path: ReadPath, whole: QuerySet, params: Params, viewer: Any = None,
                 bounds: slice | None = None) -> None:
        self.path, self.whole, self.params, self.viewer, self.bounds = path, whole, params, viewer, bounds

    @cached_property
    def shown(self) -> Q | None:
        """The condition that the viewer may see a row in a list (None: no viewer, every row)."""
        return None if self.viewer is None else self.path.shown(self.viewer, listing=True)

    @cached_property
    def visible(self) -> QuerySet:
        """The whole, without what the viewer must not see."""
        return self.whole if self.shown is None else self.whole.filter(self.shown)

    @cached_property
    def ids(self) -> QuerySet:  # type: ignore[override]
        return self.visible if self.bounds is None else self.visible[self.bounds]

    def over(self, whole: QuerySet, bounds: slice | None = None) -> ReadList:
        if self.bounds is not None:
            raise TypeError("A page of a list is not filtered, ordered or sliced again.")
        return ReadList(self.path, whole, self.params, self.viewer, bounds)

    def read(self, counted: PagedRead | None = None) -> tuple[list, int | None]:
        assert counted is None or isinstance(counted, ReadList)
        return self.path.read_page(self, counted)

    def count_query(self) -> tuple[str, dict[str, Any]]:
        """A SELECT (named SQL, params) of how many rows the list has, to run inside another
        statement (drf_api.counting.count_sql). A whole counted table that only the viewer's
        visibility filters is its kept row count less the rows not shown to them, each term
        answered by an index, instead of a count of every row."""
        if self.viewer is None or self.path.visibility is None or not reads_stored_count(self.whole):
            return named(*count_sql(self.ids), prefix="total_")
        stored_sql, stored_params = named(*count_sql(self.whole), prefix="total_")
        less_sql, less_params = named(*self.path.not_shown_sql(self.viewer, self.whole.db), prefix="less_")
        return f"SELECT ({stored_sql}) {less_sql}", {**stored_params, **less_params}

    def count(self) -> int:
        """How many rows the list has (all pages)."""
        sql, params = self.count_query()
        with connections[self.whole.db].cursor() as cursor:
            cursor.execute(sql, params)
            total = cursor.fetchone()[0]
        if total is None:  # a counted table's kept count is missing: count the rows
            return self.visible.count()
        return total

    def filter(self, *args: Any, **kwargs: Any) -> ReadList:
        return self.over(self.whole.filter(*args, **kwargs))

    def order_by(self, *fields: Any) -> ReadList:
        return self.over(self.whole.order_by(*fields))

    def __getitem__(self, bounds: slice) -> ReadList:
        return self.over(self.whole, bounds)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.read()[0])


class ReadPathView(generics.GenericAPIView):
    """A generic view whose every response is read by its `read_path`: a list's page, a detail,
    and whatever a write leaves behind. `serializer_class` is the input: it validates writes and
    documents request bodies; the read path's serializer documents the responses (drf_api.schema).

    `get_queryset()` is the ORM's part: it finds which rows (filters, ordering, paging) and the
    instance a write changes; it never reads what a response shows.
    """

    read_path: ReadPath

    def read_params(self) -> dict[str, Any]:
        return caller_params(self.request.user)

    def read_response(self, pk: int, status: int = 200) -> Response:
        """The row of `pk` as the response: 404 when it is gone (say, deleted meanwhile) or the
        caller must not see it (safety/visibility.py; in the same statement)."""
        row = self.read_path.read_one(pk, self.read_params(), viewer=self.request.user)
        if row is None:
            raise NotFound(f"No {self.read_path.name} matches the given query.")
        return Response(self.read_path.to_json(row, self.request), status=status)

    def get_object(self) -> Any:
        """The row a write changes (DRF's get_object): only one the caller may see at its URL,
        else 404."""
        queryset = self.filter_queryset(self.get_queryset())
        shown = self.read_path.shown(self.request.user, listing=False)
        if shown is not None:
            queryset = queryset.filter(shown)
        lookup = self.lookup_url_kwarg or self.lookup_field
        row = get_object_or_404(queryset, **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, row)
        return row

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page: its ids found by the ORM, its rows read in full (one statement on PostgreSQL);
        only what the caller may see in a list (safety/visibility.py)."""
        ids = self.filter_queryset(self.get_queryset())
        rows = self.read_path.list(ids, self.read_params(), viewer=request.user)
        # DRF types a page's source as a QuerySet; our paginators page a PagedRead (drf_api.pagination).
        page: list[Any] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]
        shown = [self.read_path.to_json(row, request) for row in (rows if page is None else page)]
        return Response(shown) if page is None else self.get_paginated_response(shown)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.read_response(self.kwargs[self.lookup_url_kwarg or self.lookup_field])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        assert serializer.instance is not None  # saved
        return self.read_response(serializer.instance.pk, status=201)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save()

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.read_response(instance.pk)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save()
