"""Rebuild: throw a blog's projections away and replay its log.

The replay writes what ``projections.apply`` writes, from the same row builders and
handlers (the property test in tests/test_rebuild.py holds it to that), but faster where it
counts. Publications, nearly all of a large log, become rows with
``projections.publication_rows`` and are loaded per table and batch: on SQLite into
emptied tables with one executemany; on PostgreSQL the entries and first revisions a blog
has are kept, and only the rows that differ from the replay's are written (``bulk.merge``).
The columns they copy from the log are read and written as text. Every other event is
applied by ``projections.apply``. The figures: BENCHMARKS.md, "Speed tricks".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from liveblog import bulk, projections
from liveblog import events as ev
from liveblog.models import Blog, Entry, EntryLabel, EntryRevision, Event, MediaUse
from liveblog.projections import PublicationRows, StoredEvent

#: Events read, and publications loaded, at a time.
BATCH_SIZE = 2_000


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
        bulk.stored(Event, name) if name in _COPIED else name for name in StoredEvent._fields
    ]
    # Only a transaction of the replay's own may skip waiting for its commit to be flushed.
    own_transaction = not connection.in_atomic_block
    # A replay rewrites every page of a blog's projections in one transaction (see bulk).
    with bulk.roomy_page_cache(), bulk.rare_collections():
        for blog_id in blog_ids:
            with transaction.atomic(), ExitStack() as stack:
                if own_transaction:
                    _lose_no_more_than_this_rebuild()
                # Updating the blog row takes the stream lock that commands take before
                # appending, so nothing is appended half-way through the replay.
                Blog.objects.filter(pk=blog_id).update(last_seq=0, updated_at=None)
                log = Event.objects.filter(blog_id=blog_id).order_by("seq")
                load = _clear(blog_id, log, stack)
                rows = log.values_list(*columns).iterator(chunk_size=BATCH_SIZE)
                replayed = _replay(map(StoredEvent._make, rows), load)
                if load is _merge:
                    _delete_entries_not_published(blog_id, replayed.publications)
                count += replayed.events
    return count


#: How a run of publications' rows reaches the tables (``_insert``, ``_copy``, ``_merge``).
_Loader = Callable[[Sequence[PublicationRows]], None]


def _clear(blog_id: int, log: QuerySet[Event], stack: ExitStack) -> _Loader:
    """Clear the blog's projections for its replay; how the replay loads publications."""
    if connection.vendor != "postgresql":
        if _is_most_of_the_projections(blog_id, log.count()):
            stack.enter_context(bulk.indexes_built_after(Entry, EntryRevision))
        projections.clear(blog_id)
        return _insert
    if connection.pg_version < 150000:  # type: ignore[attr-defined]  # MERGE came in 15
        projections.clear(blog_id)
        return _copy
    projections.clear(blog_id, but_publications=True)
    # With no entries to compare with (a first replay, say), COPY alone does less.
    return _merge if Entry.objects.filter(blog_id=blog_id).exists() else _copy


class _Replayed(NamedTuple):
    """What a replay went through: events, and publications among them."""

    events: int
    publications: int


def _replay(rows: Iterable[StoredEvent], load: _Loader) -> _Replayed:
    """Apply one blog's log, in seq order, to its projections.

    Publications are loaded in runs by ``load``; every other event is applied by
    ``projections.apply``, once the publications before it are loaded.
    """
    to_python = [(name, bulk.from_stored(Event, name)) for name in _COPIED]

    def as_event(row: StoredEvent) -> Event:
        values = row._asdict() | {name: convert(getattr(row, name)) for name, convert in to_python}
        return Event(**values)

    count = published = 0
    publications: list[PublicationRows] = []
    others: list[Event] = []
    decoded: list[ev.DomainEvent] = []
    last: StoredEvent | None = None
    for row in rows:
        data = ev.decode(row.type, row.schema_version, row.payload, check=False)
        if isinstance(data, ev.EntryPublished):
            if others:
                projections.apply(others, decoded)
                others, decoded = [], []
            publications.append(projections.publication_rows(row, data))
            published += 1
            if len(publications) >= BATCH_SIZE:
                load(publications)
                publications = []
        else:
            if publications:
                load(publications)
                publications = []
            others.append(as_event(row))
            decoded.append(data)
        last = row
        count += 1
    if publications:
        load(publications)
    if others:
        projections.apply(others, decoded)
    if last is not None:
        projections.caught_up(as_event(last))
    return _Replayed(count, published)


def _insert(publications: Sequence[PublicationRows]) -> None:
    """Insert a run of publications' rows into emptied tables (SQLite)."""
    for model, rows in _tables(publications):
        bulk.insert(model, rows, stored=STORED_COLUMNS[model])


def _copy(publications: Sequence[PublicationRows]) -> None:
    """Copy a run of publications' rows into emptied tables (PostgreSQL)."""
    for model, rows in _tables(publications):
        bulk.copy(model, rows)


def _merge(publications: Sequence[PublicationRows]) -> None:
    """Write a run of publications' rows where the tables do not hold them already (PostgreSQL).

    Entries and their first revisions are kept by ``projections.clear``: the rows a replay
    would write again as they are, most of them, cost a comparison and no write
    (``bulk.merge``). Labels and media uses, deleted, are copied.
    """
    for model, rows in _tables(publications):
        if model in _MATCHED_BY:
            bulk.merge(model, rows, match=_MATCHED_BY[model])
        else:
            bulk.copy(model, rows)


#: How ``_merge`` finds the row that a publication's row replaces: by a unique key.
_MATCHED_BY: dict[_Table, tuple[str, ...]] = {
    Entry: ("id",),
    EntryRevision: ("entry", "number"),
}


def _tables(
    publications: Sequence[PublicationRows],
) -> list[tuple[_Table, list[dict[str, object]]]]:
    return [
        (Entry, [rows.entry for rows in publications]),
        (EntryRevision, [rows.revision for rows in publications]),
        (EntryLabel, [label for rows in publications for label in rows.labels]),
        (MediaUse, [use for rows in publications for use in rows.uses]),
    ]


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


def _delete_entries_not_published(blog_id: int, published: int) -> None:
    """Delete the blog's entries that its log does not publish, kept by ``projections.clear``.

    After a replay, every entry the log publishes is the blog's: when they are all it has,
    as they nearly always are, there is nothing to look for.
    """
    entries = Entry.objects.filter(blog_id=blog_id)
    if entries.count() == published:
        return
    in_log = Event.objects.filter(
        blog_id=blog_id, type=ev.EntryPublished.TYPE, entry_id=OuterRef("pk")
    )
    stale = entries.exclude(Exists(in_log))
    for model in (EntryRevision, EntryLabel, MediaUse):
        model.objects.filter(entry__in=stale)._raw_delete(using="default")
    stale._raw_delete(using="default")


def _is_most_of_the_projections(blog_id: int, events: int) -> bool:
    """Whether replaying the blog rewrites most of the entries (see bulk.indexes_built_after).

    It does when its events, an upper bound of its entries, outnumber the other blogs'
    entries; rebuilding a small blog among large ones keeps the indexes up to date instead.
    """
    return events >= Entry.objects.exclude(blog_id=blog_id).count()
