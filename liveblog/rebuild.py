"""Rebuild: throw a blog's projections away and replay its log.

The replay writes what ``projections.apply`` writes, from the same row builders and
handlers (the property test in tests/test_rebuild.py holds it to that), but faster where it
counts. Publications, nearly all of a large log, become rows with
``projections.publication_rows`` and are loaded per table and batch: with COPY on
PostgreSQL, with one executemany on SQLite; the columns they copy from the log are read
and written as the database stores them. Every other event is applied by
``projections.apply``. The figures: BENCHMARKS.md, "Speed tricks".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from typing import Any, NamedTuple

from django.db import connection, transaction

from liveblog import bulk, projections
from liveblog import events as ev
from liveblog.models import (
    Blog,
    DeskEntry,
    Entry,
    EntryLabel,
    EntryRevision,
    Event,
    Media,
    MediaUse,
)

#: Events read, and publications loaded, at a time.
BATCH_SIZE = 2_000


class _StoredEvent(NamedTuple):
    """An Event row as the replay reads it: a model instance per row costs more than the rest.

    The ``_COPIED`` columns are as the database stores them (``bulk.stored``): on SQLite,
    text that the ORM would parse and ``bulk.insert`` format again, for nothing.
    """

    blog_id: int
    seq: int
    type: str
    entry_id: object
    payload: dict[str, Any]
    schema_version: int
    occurred_at: object
    recorded_at: object
    actor: str


#: The tables a publication adds rows to.
_Table = type[Entry | EntryRevision | EntryLabel | MediaUse]

#: The Event columns that publications copy into their rows.
_COPIED = ("entry_id", "occurred_at", "recorded_at")
#: The columns of the publication rows that hold a ``_COPIED`` value as stored.
STORED_COLUMNS: dict[_Table, frozenset[str]] = {
    Entry: frozenset({"id", "occurred_at", "published_at", "updated_at"}),
    EntryRevision: frozenset({"entry_id", "recorded_at"}),
    EntryLabel: frozenset({"entry_id"}),
    MediaUse: frozenset({"entry_id"}),
}


def rebuild(blog: Blog | None = None) -> int:
    """Throw away the projections of one blog (or all) and replay the log. Returns events."""
    count = 0
    blog_ids = [blog.pk] if blog else list(Blog.objects.values_list("pk", flat=True))
    columns = [
        bulk.stored(Event, name) if name in _COPIED else name for name in _StoredEvent._fields
    ]
    # Only a transaction of the replay's own may skip waiting for its commit to be flushed.
    own_transaction = not connection.in_atomic_block
    # A replay rewrites every page of a blog's projections in one transaction (see bulk).
    with bulk.roomy_page_cache():
        for blog_id in blog_ids:
            with transaction.atomic(), ExitStack() as stack:
                if own_transaction:
                    _lose_no_more_than_this_rebuild()
                # Updating the blog row takes the stream lock that commands take before
                # appending, so nothing is appended half-way through the replay.
                Blog.objects.filter(pk=blog_id).update(last_seq=0, updated_at=None)
                log = Event.objects.filter(blog_id=blog_id).order_by("seq")
                if _is_most_of_the_projections(blog_id, log.count()):
                    stack.enter_context(bulk.indexes_built_after(Entry, EntryRevision))
                _delete_projections(blog_id)
                rows = log.values_list(*columns).iterator(chunk_size=BATCH_SIZE)
                count += _replay(map(_StoredEvent._make, rows))
    return count


def _replay(rows: Iterable[_StoredEvent]) -> int:
    """Apply one blog's log, in seq order, to its emptied projections."""
    to_python = [(name, bulk.from_stored(Event, name)) for name in _COPIED]

    def as_event(row: _StoredEvent) -> Event:
        values = row._asdict() | {name: convert(getattr(row, name)) for name, convert in to_python}
        return Event(**values)

    count = 0
    publications: list[projections.PublicationRows] = []
    others: list[Event] = []
    decoded: list[ev.DomainEvent] = []
    last: _StoredEvent | None = None
    for row in rows:
        data = ev.decode(row.type, row.schema_version, row.payload, check=False)
        if isinstance(data, ev.EntryPublished):
            if others:
                projections.apply(others, decoded)
                others, decoded = [], []
            publications.append(projections.publication_rows(row, data))
            if len(publications) >= BATCH_SIZE:
                _load(publications)
                publications = []
        else:
            if publications:
                _load(publications)
                publications = []
            others.append(as_event(row))
            decoded.append(data)
        last = row
        count += 1
    _load(publications)
    if others:
        projections.apply(others, decoded)
    if last is not None:
        projections.caught_up(as_event(last))
    return count


def _load(publications: Sequence[projections.PublicationRows]) -> None:
    """Insert a run of publications' rows: with COPY on PostgreSQL, else with ``bulk.insert``."""
    if not publications:
        return
    tables: list[tuple[_Table, list[dict[str, object]]]] = [
        (Entry, [rows.entry for rows in publications]),
        (EntryRevision, [rows.revision for rows in publications]),
        (EntryLabel, [label for rows in publications for label in rows.labels]),
        (MediaUse, [use for rows in publications for use in rows.uses]),
    ]
    for model, table_rows in tables:
        if connection.vendor == "postgresql":
            bulk.copy(model, table_rows)
        else:
            bulk.insert(model, table_rows, stored=STORED_COLUMNS[model])


def _lose_no_more_than_this_rebuild() -> None:
    """On PostgreSQL, commit the replay without waiting for its WAL to reach the disk.

    A crash right after could lose the replay alone: the log it reads is unchanged, and
    the projections stay as they were before it. Any later commit that waits for the disk
    takes the replay's WAL with it, so nothing written after it depends on it unsafely.
    Only for a transaction that holds the replay alone: a caller's outer transaction may
    append events, whose commit must wait.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _delete_projections(blog_id: int) -> None:
    # Plain statements, not Django's cascade, which loads and deletes the rows one by one.
    EntryRevision.objects.filter(entry__blog_id=blog_id)._raw_delete(using="default")
    EntryLabel.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    MediaUse.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    Entry.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    Media.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    DeskEntry.objects.filter(blog_id=blog_id)._raw_delete(using="default")


def _is_most_of_the_projections(blog_id: int, events: int) -> bool:
    """Whether replaying the blog rewrites most of the entries (see bulk.indexes_built_after).

    It does when its events, an upper bound of its entries, outnumber the other blogs'
    entries; rebuilding a small blog among large ones keeps the indexes up to date instead.
    """
    return events >= Entry.objects.exclude(blog_id=blog_id).count()
