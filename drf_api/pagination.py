"""Paging: page numbers (the contract's `count`, `next`, `previous`, `results`) and, beside them,
a cursor for infinite scroll (`?cursor=`: `next`, `previous`, `results`, no count).

Two scale traps are handled here for every list (make bench measures both on 200,000 posts):

- A page is found by its rows' ids first, then only those rows are read in full (a "deferred
  join"). PostgreSQL computes a row's select list (joins, like and comment counts) before it
  can skip it, so `LIMIT 10 OFFSET 19990` used to build 20,000 full rows to throw away; now it
  walks 20,000 index entries and builds 10.
- The count of a list that filters nothing is read from the table's kept row count
  (drf_api/counting.py) instead of a COUNT(*) over the whole table.

Cursor paging costs the same on the thousandth page as on the first: it asks for the rows
after the last one seen, through the list's ordering index, and never counts.
"""
from abc import ABC, abstractmethod
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from drf_api.counting import exact_count, filters_nothing

PAGE_SIZE_PARAM = "page_size"
MAX_PAGE_SIZE = 100
# No list has rows this far down, and a database refuses a larger OFFSET (PostgreSQL's is a
# bigint): a page that would start past it is judged by the count alone (404 "Invalid page.").
LARGEST_OFFSET = 2**62


def strict_page_size(request, default):
    """`?page_size=`: a whole number from 1 up (400 otherwise), at most 100."""
    value = request.query_params.get(PAGE_SIZE_PARAM)
    if value is None:
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ValidationError({PAGE_SIZE_PARAM: ["A whole number from 1 up is required."]})
    return min(int(value), MAX_PAGE_SIZE)


class PagedRead(ABC):
    """A list whose rows are found as ids first and then read in full (drf_api.reads.ReadList):
    what both paginators page besides a plain queryset.

    `ids` is the ORM's part (filters, ordering, what the caller may see); filtering, ordering and
    slicing the list (what the cursor paginator does) apply to it, and iterating reads the rows.
    `read(counted)` reads them together with the count of the rows of `counted` when it can (None
    when not); `count()` counts them alone.
    """

    ids: QuerySet

    @abstractmethod
    def read(self, counted: "PagedRead | None" = None) -> tuple[list[Any], int | None]: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def __getitem__(self, bounds: slice) -> "PagedRead": ...


def rows_between(rows, bottom, top):
    """rows[bottom:top], the ids found first (an index walk) and only those rows read in full.

    A PagedRead list is that first step already.
    """
    if (isinstance(rows, PagedRead) or not isinstance(rows, QuerySet) or rows.query.values_select
            or (bottom == 0 and filters_nothing(rows))):
        # A first page that filters nothing is a walk down the ordering index already.
        return rows[bottom:top]
    return rows.filter(pk__in=rows.values("pk")[bottom:top])


class DeferredJoinPaginator(Paginator):
    """Django's paginator, counting through exact_count() and reading pages by their ids.

    A PagedRead list reads a page together with the count of all its rows (one statement on
    PostgreSQL); its count is then whatever that read says, not a query of its own. The count is
    None when it could not come along (an empty page after the first): it is then counted.
    """

    @cached_property
    def count(self):
        rows = self.object_list
        return rows.count() if isinstance(rows, PagedRead) else exact_count(rows)

    def page(self, number):
        rows = self.object_list
        whole = isinstance(number, int) or (isinstance(number, str) and number.isdecimal())
        if (not isinstance(rows, PagedRead) or self.orphans or "count" in self.__dict__ or not whole
                or int(number) < 1 or (int(number) - 1) * self.per_page > LARGEST_OFFSET):
            # Django's way: a page number that is not one is refused before anything is counted,
            # and one past the last page after counting.
            return self.page_after_count(number)
        bottom = (int(number) - 1) * self.per_page
        page, count = rows[bottom:bottom + self.per_page].read(counted=rows)
        if count is None and not page and bottom == 0:
            count = 0  # an empty first page: the list is empty
        self.count = self.count if count is None else count
        return self._get_page(page, self.validate_number(number), self)

    def page_after_count(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_between(self.object_list, bottom, top), number, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (10 by default, at most 100: a larger size gives 100).

    A page size that is not a whole number from 1 up is a 400 naming the parameter, rather
    than silently becoming the default.
    """

    django_paginator_class = DeferredJoinPaginator
    page_size = 10
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return strict_page_size(request, self.page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class CursorPagination(pagination.CursorPagination):
    """Keyset paging along the list's own default order (newest first): `?cursor=` (empty for
    the first page), then each answer's `next`. Filters apply; `ordering=` does not combine
    with a cursor (a 400), since a cursor marks a place in one fixed order."""

    page_size = 10
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = "Invalid cursor: follow the `next` and `previous` links as given."

    def get_page_size(self, request):
        return strict_page_size(request, self.page_size)

    def get_ordering(self, request, queryset, view):
        if request.query_params.get("ordering"):
            raise ValidationError({"cursor": ["A cursor pages the default order: leave out `ordering`, "
                                              "or page by number."]})
        rows = queryset.ids if isinstance(queryset, PagedRead) else queryset
        return tuple(rows.query.order_by or rows.model._meta.ordering)

    def decode_cursor(self, request):
        if not request.query_params.get(self.cursor_query_param):
            return None  # `?cursor=` with no value: the first page
        return super().decode_cursor(request)


class Pagination(pagination.BasePagination):
    """Every list's paging: by number unless the request carries `cursor`, then by cursor."""

    def __init__(self):
        self.by_number = PageNumberPagination()
        self.by_cursor = CursorPagination()
        self.active = self.by_number

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self.by_cursor.cursor_query_param in request.query_params
        self.active = self.by_cursor if cursor else self.by_number
        return self.active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.active.get_paginated_response(data)

    @property
    def display_page_controls(self):
        return getattr(self.active, "display_page_controls", False)

    def to_html(self):
        return self.active.to_html()

    def get_results(self, data):
        return data["results"]

    def get_paginated_response_schema(self, schema):
        paged = self.by_number.get_paginated_response_schema(schema)
        paged["properties"]["count"]["description"] = "How many there are in all (absent when paging by cursor)."
        paged["required"] = ["results"]
        return paged

    def get_schema_operation_parameters(self, view):
        cursor = {
            "name": self.by_cursor.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "Page by cursor (for infinite scroll) instead of by number: empty for the first page, "
            "then follow `next`. The answer has no `count`; `page` is ignored; cannot be combined with `ordering`.",
            "schema": {"type": "string"},
        }
        return [*self.by_number.get_schema_operation_parameters(view), cursor]
