"""Cursor pagination whose cursors cannot be forged into server errors; the log's aligned pages."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from liveblog.params import MAX_NUMBER

INVALID_CURSOR = "This cursor is not valid; follow the next or previous link of a page."


class SafeCursorPagination(CursorPagination):
    """A bad cursor is a 400 on ``cursor`` rather than DRF's 404, and is checked in full.

    DRF decodes the cursor but passes its position straight into a filter, so a forged
    position ("not-a-date") would fail in the database as a 500.
    """

    cursor_query_param = "cursor"
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        if not isinstance(queryset, QuerySet):
            raise TypeError("Cursor pagination orders the rows in the database: pass a QuerySet.")
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: object) -> None:
        # DRF's stubs say int; the position is the text the cursor carried, unchecked.
        field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        try:
            value = field.to_python(position)
            if isinstance(value, datetime):
                if value.tzinfo is None:
                    raise ValueError("naive")
                value.astimezone(UTC)
            elif isinstance(value, int) and not -MAX_NUMBER <= value <= MAX_NUMBER:
                raise ValueError("out of range")
        except (DjangoValidationError, ValueError, OverflowError):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None


class BlogPagination(SafeCursorPagination):
    # Creation order, newest first: stable while blogs change, unlike updated_at.
    ordering = ("-id",)


class EntryPagination(SafeCursorPagination):
    ordering = ("-occurred_at", "-published_seq")


@dataclasses.dataclass(frozen=True)
class LogPage:
    """Which seqs a page of a blog's log holds, so that every reader asks for the same pages.

    Pages end on multiples of ``limit``: ``after=0`` holds 1-100, ``after=100`` holds
    101-200, and so on (like time buckets, but by seq). An ``after`` between two boundaries
    (a reader's last seq) gets a shorter page that ends at the next boundary, and its
    ``next`` link is an aligned page again. A page is *closed* once the blog's log reaches
    its end: the log is append-only, so its seqs never change again and any cache may keep
    it. The page the next events go to is *open* (its ``next_after`` is None): poll it.
    """

    after: int
    limit: int
    last_seq: int

    @property
    def end(self) -> int:
        """The last seq the page can hold: the next multiple of ``limit`` above ``after``."""
        return (self.after // self.limit + 1) * self.limit

    @property
    def closed(self) -> bool:
        return self.last_seq >= self.end

    @property
    def next_after(self) -> int | None:
        """Where the following page starts, once this one is closed."""
        return self.end if self.closed else None


class DeskEntryPagination(SafeCursorPagination):
    # The newest change first; the seq breaks ties and is unique per blog.
    ordering = ("-updated_at", "-last_seq")
