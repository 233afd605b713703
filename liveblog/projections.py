"""Projections: apply events to the read tables (Blog fields, Entry, EntryRevision, Media,
MediaUse, EntryLabel, and the desk's DeskEntry).

``apply`` is called by commands inside the appending transaction, and by ``rebuild`` to
replay a whole log; both paths run the same code, so a rebuild equals the live state.
Runs of publications are inserted in bulk, which is what makes imports and rebuilds fast.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from liveblog import bulk
from liveblog import events as ev
from liveblog import media as stored_media
from liveblog.errors import InvalidEventError
from liveblog.markup import analyse
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

REBUILD_BATCH_SIZE = 2_000


class LoggedRow(Protocol):
    """A row of the log as projecting reads it: an ``Event``, or the replay's lighter tuple.

    The columns a publication copies (``_COPIED_FIELDS``) are only ``object`` here: a
    replay reads them as the database stores them (on SQLite: text).
    """

    @property
    def blog_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def actor(self) -> str: ...
    @property
    def entry_id(self) -> object: ...
    @property
    def occurred_at(self) -> object: ...
    @property
    def recorded_at(self) -> object: ...


class EventRow(LoggedRow, Protocol):
    """A row of the log with every column as the ORM reads it, which the handlers take."""

    @property
    def entry_id(self) -> uuid.UUID | None: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...


_Row = TypeVar("_Row", bound=LoggedRow)


def _blog_created(event: EventRow, data: ev.BlogCreated) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        slug=data.slug,
        title=data.title,
        description=data.description,
        time_zone=data.time_zone,
        status=Blog.Status.DRAFT,
        coverage_start=None,
        coverage_end=None,
        created_at=event.recorded_at,
        labels=data.labels,
    )


def _blog_labels_changed(event: EventRow, data: ev.BlogLabelsChanged) -> None:
    Blog.objects.filter(pk=event.blog_id).update(labels=data.labels)


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _blog_details_changed(event: EventRow, data: ev.BlogDetailsChanged) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        title=data.title,
        description=data.description,
        time_zone=data.time_zone,
        coverage_start=_parse_time(data.coverage_start),
        coverage_end=_parse_time(data.coverage_end),
    )


def _blog_renamed(event: EventRow, data: ev.BlogRenamed) -> None:
    Blog.objects.filter(pk=event.blog_id).update(slug=data.slug)


def _blog_opened(event: EventRow, data: ev.BlogOpened) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        status=Blog.Status.LIVE,
        coverage_start=Coalesce(F("coverage_start"), Value(event.occurred_at)),
        coverage_end=None,
    )


def _blog_closed(event: EventRow, data: ev.BlogClosed) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        status=Blog.Status.CLOSED, coverage_end=event.occurred_at
    )


def _body_html(data: ev.EntryPublished | ev.EntryCorrected | ev._DeskText) -> str:
    """The text as readers see it, from the event alone (its media and embeds included)."""
    return analyse(data.body, media=data.media, embeds=data.embeds).html


def _publication(
    event: LoggedRow, data: ev.EntryPublished, to_json: Callable[[object], object]
) -> tuple[dict, dict]:
    """The Entry and first EntryRevision rows of a publication, as column values."""
    body_html = _body_html(data)
    media, embeds = to_json(data.media), to_json(data.embeds)
    entry = {
        "id": event.entry_id,
        "blog_id": event.blog_id,
        "headline": data.headline,
        "body": data.body,
        "body_html": body_html,
        "occurred_at": event.occurred_at,
        "status": Entry.Status.PUBLISHED,
        "pinned": data.pinned,
        "key_event": data.key_event,
        "revision": 1,
        "author": event.actor,
        "author_name": data.author,
        "author_role": data.author_role,
        "author_location": data.author_location,
        "labels": to_json(data.labels),
        "published_seq": event.seq,
        "published_at": event.recorded_at,
        "last_seq": event.seq,
        "updated_at": event.recorded_at,
        "last_corrected_at": None,
        "correction_reason": "",
        "retracted_at": None,
        "retraction_reason": "",
        "media": media,
        "embeds": embeds,
    }
    revision = {
        "entry_id": event.entry_id,
        "number": 1,
        "headline": data.headline,
        "body": data.body,
        "body_html": body_html,
        "reason": "",
        "seq": event.seq,
        "recorded_at": event.recorded_at,
        "actor": event.actor,
        "media": media,
        "embeds": embeds,
    }
    return entry, revision


def _entry_corrected(event: EventRow, data: ev.EntryCorrected) -> None:
    entry_id = _entry_id(event)
    entry = Entry.objects.only("revision").get(pk=entry_id)
    body_html = _body_html(data)
    number = entry.revision + 1
    Entry.objects.filter(pk=entry_id).update(
        headline=data.headline,
        body=data.body,
        body_html=body_html,
        revision=number,
        last_corrected_at=event.occurred_at,
        correction_reason=data.reason,
        last_seq=event.seq,
        updated_at=event.recorded_at,
        media=data.media,
        embeds=data.embeds,
    )
    EntryRevision.objects.create(
        entry_id=entry_id,
        number=number,
        headline=data.headline,
        body=data.body,
        body_html=body_html,
        reason=data.reason,
        seq=event.seq,
        recorded_at=event.recorded_at,
        actor=event.actor,
        media=data.media,
        embeds=data.embeds,
    )
    if data.media or data.embeds:
        known = MediaUse.objects.filter(entry_id=entry_id).values_list("name", flat=True)
        bulk.insert(MediaUse, _use_rows(event, data, set(known)))


def _use_rows(
    event: LoggedRow, data: ev.EntryPublished | ev.EntryCorrected, known: Iterable[str] = ()
) -> list[dict]:
    """The files the event's text shows that the entry had not shown before (``known``)."""
    names = stored_media.names_in_payload({"media": data.media, "embeds": data.embeds})
    return [
        {"entry_id": event.entry_id, "blog_id": event.blog_id, "name": name}
        for name in dict.fromkeys(names)
        if name not in known
    ]


def _label_rows(event: LoggedRow, labels: Sequence[str]) -> list[dict]:
    return [{"entry_id": event.entry_id, "blog_id": event.blog_id, "name": name} for name in labels]


def _entry_labels_changed(event: EventRow, data: ev.EntryLabelsChanged) -> None:
    _update_entry(event, labels=data.labels)
    EntryLabel.objects.filter(entry_id=_entry_id(event)).delete()
    bulk.insert(EntryLabel, _label_rows(event, data.labels))


# --- The desk ------------------------------------------------------------------------


def _desk_text(event: EventRow, data: ev._DeskText) -> dict[str, object]:
    return {
        "headline": data.headline,
        "body": data.body,
        "body_html": _body_html(data),
        "key_event": data.key_event,
        "pinned": data.pinned,
        "author_name": data.author,
        "author_role": data.author_role,
        "author_location": data.author_location,
        "labels": data.labels,
        "media": data.media,
        "embeds": data.embeds,
        "occurred_at": _parse_time(data.occurred_at),
    }


def _entry_id(event: EventRow) -> uuid.UUID:
    """The entry an entry or desk event concerns, which its row carries (``CONCERNS_ENTRY``)."""
    if event.entry_id is None:
        raise InvalidEventError(f"{event.type} #{event.seq} names no entry.")
    return event.entry_id


def _update_desk_entry(event: EventRow, **fields: object) -> None:
    DeskEntry.objects.filter(pk=_entry_id(event)).update(
        last_seq=event.seq, updated_at=event.recorded_at, **fields
    )


def _desk_written(event: EventRow, data: ev._DeskText) -> None:
    """A new unpublished update (drafted, submitted or scheduled), or a returned one again."""
    status = {
        ev.DeskDrafted: DeskEntry.Status.DRAFT,
        ev.DeskSubmitted: DeskEntry.Status.SUBMITTED,
        ev.DeskScheduled: DeskEntry.Status.SCHEDULED,
    }[type(data)]
    text = _desk_text(event, data)
    if isinstance(data, ev.DeskScheduled):
        text |= {"publish_at": _parse_time(data.publish_at), "scheduled_by": event.actor}
    existing = DeskEntry.objects.filter(pk=_entry_id(event)).only("revision").first()
    if existing is not None:  # a returned submission, submitted again
        _update_desk_entry(event, status=status, revision=existing.revision + 1, **text)
        return
    DeskEntry.objects.create(
        id=_entry_id(event),
        blog_id=event.blog_id,
        status=status,
        written_by=event.actor,
        created_at=event.recorded_at,
        updated_at=event.recorded_at,
        last_seq=event.seq,
        **text,
    )


def _desk_revised(event: EventRow, data: ev.DeskRevised) -> None:
    _update_desk_entry(event, revision=F("revision") + 1, **_desk_text(event, data))


def _desk_schedule_changed(event: EventRow, data: ev.DeskScheduleChanged) -> None:
    if data.publish_at is None:
        _update_desk_entry(event, status=DeskEntry.Status.DRAFT, publish_at=None)
        return
    _update_desk_entry(
        event,
        status=DeskEntry.Status.SCHEDULED,
        publish_at=_parse_time(data.publish_at),
        scheduled_by=event.actor,
    )


def _desk_decided(status: str) -> Callable[[EventRow, Any], None]:
    def handler(event: EventRow, data: ev.DomainEvent) -> None:
        note = {"note": data.note} if isinstance(data, ev.DeskReturned) else {}
        _update_desk_entry(event, status=status, decided_by=event.actor, **note)

    return handler


def _media_uploaded(event: EventRow, data: ev.DomainEvent) -> None:
    assert isinstance(data, ev.MediaUploaded)
    widest = data.files[-1]
    Media.objects.create(
        id=data.media_id,
        blog_id=event.blog_id,
        name=widest["name"],
        alt=data.alt,
        caption=data.caption,
        credit=data.credit,
        content_type=data.content_type,
        width=widest["width"],
        height=widest["height"],
        files=data.files,
        seq=event.seq,
        uploaded_at=event.recorded_at,
        actor=event.actor,
    )


def _entry_retracted(event: EventRow, data: ev.EntryRetracted) -> None:
    # A retracted entry neither stays on top nor counts as a key event.
    _update_entry(
        event,
        status=Entry.Status.RETRACTED,
        retracted_at=event.occurred_at,
        retraction_reason=data.reason,
        pinned=False,
        key_event=False,
    )


def _update_entry(event: EventRow, **fields: object) -> None:
    Entry.objects.filter(pk=_entry_id(event)).update(
        last_seq=event.seq, updated_at=event.recorded_at, **fields
    )


# Each handler takes its own event type, which the dict's key names.
_HANDLERS: dict[type[ev.DomainEvent], Callable[[EventRow, Any], None]] = {
    ev.BlogCreated: _blog_created,
    ev.BlogDetailsChanged: _blog_details_changed,
    ev.BlogRenamed: _blog_renamed,
    ev.BlogLabelsChanged: _blog_labels_changed,
    ev.BlogOpened: _blog_opened,
    ev.BlogClosed: _blog_closed,
    ev.EntryCorrected: _entry_corrected,
    ev.EntryLabelsChanged: _entry_labels_changed,
    ev.EntryRetracted: _entry_retracted,
    ev.EntryPinned: lambda event, _: _update_entry(event, pinned=True),
    ev.EntryUnpinned: lambda event, _: _update_entry(event, pinned=False),
    ev.EntryMarkedKeyEvent: lambda event, _: _update_entry(event, key_event=True),
    ev.EntryUnmarkedKeyEvent: lambda event, _: _update_entry(event, key_event=False),
    ev.MediaUploaded: _media_uploaded,
    ev.DeskDrafted: _desk_written,
    ev.DeskSubmitted: _desk_written,
    ev.DeskScheduled: _desk_written,
    ev.DeskRevised: _desk_revised,
    ev.DeskScheduleChanged: _desk_schedule_changed,
    ev.DeskReturned: _desk_decided(DeskEntry.Status.RETURNED),
    ev.DeskCancelled: _desk_decided(DeskEntry.Status.CANCELLED),
    ev.DeskPublished: _desk_decided(DeskEntry.Status.PUBLISHED),
}


def apply(events: Sequence[EventRow], decoded: Sequence[ev.DomainEvent] | None = None) -> None:
    """Apply events, in seq order, to the projections (inside the caller's transaction).

    ``decoded`` are the events' domain objects when the caller has them already (a command
    that just built them); otherwise each row's payload is decoded (and upcast) here, as
    the log's rows are: checked when they were appended (see ``events``).
    """
    _project(events, decoded, convert=_as_event_row, stored=False)


def _as_event_row(event: EventRow) -> EventRow:
    return event


def _project(
    events: Sequence[_Row],
    decoded: Sequence[ev.DomainEvent] | None,
    *,
    convert: Callable[[_Row], EventRow],
    stored: bool,
) -> None:
    """Apply ``events``; ``convert`` gives a row every column as the ORM reads it.

    ``stored`` events carry the columns in ``_COPIED_FIELDS`` as the database stores them
    (``rebuild`` reads them so): publications copy them into their rows as they are, and
    every other use gets them converted first.
    """
    entries: list[dict] = []
    revisions: list[dict] = []
    labels: list[dict] = []
    uses: list[dict] = []

    def flush_publications() -> None:
        if entries:
            bulk.insert(Entry, entries, stored=stored)
            bulk.insert(EntryRevision, revisions, stored=stored)
            bulk.insert(EntryLabel, labels, stored=stored)
            bulk.insert(MediaUse, uses, stored=stored)
            entries.clear()
            revisions.clear()
            labels.clear()
            uses.clear()

    # Stored rows hold values as the database keeps them, JSON columns included.
    to_json = _json_column() if stored else _unchanged
    last_by_blog: dict[int, _Row] = {}
    for index, event in enumerate(events):
        data = (
            decoded[index]
            if decoded is not None
            else ev.decode(event.type, event.schema_version, event.payload, check=False)
        )
        last_by_blog[event.blog_id] = event
        if isinstance(data, ev.EntryPublished):
            entry, revision = _publication(event, data, to_json)
            entries.append(entry)
            revisions.append(revision)
            if data.labels:
                labels.extend(_label_rows(event, data.labels))
            if data.media or data.embeds:
                uses.extend(_use_rows(event, data))
            continue
        flush_publications()
        _HANDLERS[type(data)](convert(event), data)
    flush_publications()
    for blog_id, last in last_by_blog.items():
        Blog.objects.filter(pk=blog_id).update(
            last_seq=last.seq, updated_at=convert(last).recorded_at
        )


def _unchanged(value: object) -> object:
    return value


def _json_column() -> Callable[[object], object]:
    """Adapt JSON column values for the driver; most entries have no media, adapted once."""
    adapt = bulk.adapter(Entry, "media")
    empty = adapt([])
    return lambda value: adapt(value) if value else empty


class _StoredEvent(NamedTuple):
    """An Event row as the replay reads it: building model instances cost more than the rest.

    The ``_COPIED_FIELDS`` are as the database stores them (on SQLite: text), see ``_project``.
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


class _LoggedEvent(NamedTuple):
    """A ``_StoredEvent`` with every column as the ORM reads it (see ``_from_stored``)."""

    blog_id: int
    seq: int
    type: str
    entry_id: uuid.UUID | None
    payload: dict[str, Any]
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: str


_STORED_FIELDS = _StoredEvent._fields
#: What a publication copies from its event row into the Entry and EntryRevision rows.
#: Reading them as the ORM does and writing them back took a fifth of a rebuild on SQLite,
#: where parsing the text into datetimes and UUIDs and formatting it again is all there is.
_COPIED_FIELDS = ("entry_id", "occurred_at", "recorded_at")


def _from_stored() -> Callable[[_StoredEvent], _LoggedEvent]:
    """Return a function giving a stored-columns event its Python values, as the ORM reads."""
    converters = [
        bulk.from_stored(Event, name) if name in _COPIED_FIELDS else None for name in _STORED_FIELDS
    ]

    def convert(event: _StoredEvent) -> _LoggedEvent:
        return _LoggedEvent._make(
            to_python(value) if to_python else value
            for value, to_python in zip(event, converters, strict=True)
        )

    return convert


def _batches(items: Iterable[_StoredEvent], size: int) -> Iterable[list[_StoredEvent]]:
    batch: list[_StoredEvent] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _delete_projections(blog_id: int) -> None:
    # Plain statements, not Django's cascade, which loads and deletes the rows one by one.
    EntryRevision.objects.filter(entry__blog_id=blog_id)._raw_delete(using="default")
    EntryLabel.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    MediaUse.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    Entry.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    Media.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    DeskEntry.objects.filter(blog_id=blog_id)._raw_delete(using="default")


def rebuild(blog: Blog | None = None) -> int:
    """Throw away the projections of one blog (or all) and replay the log. Returns events."""
    count = 0
    blog_ids = [blog.pk] if blog else list(Blog.objects.values_list("pk", flat=True))
    columns = [
        bulk.stored(Event, name) if name in _COPIED_FIELDS else name for name in _STORED_FIELDS
    ]
    convert = _from_stored()
    # A replay rewrites every page of a blog's projections in one transaction (see bulk).
    with bulk.roomy_page_cache():
        for blog_id in blog_ids:
            with transaction.atomic():
                # Updating the blog row takes the stream lock that commands take before
                # appending, so nothing is appended half-way through the replay.
                Blog.objects.filter(pk=blog_id).update(last_seq=0, updated_at=None)
                log = Event.objects.filter(blog_id=blog_id).order_by("seq")
                with (
                    bulk.indexes_built_after(Entry, EntryRevision)
                    if _is_most_of_the_projections(blog_id, log.count())
                    else nullcontext()
                ):
                    _delete_projections(blog_id)
                    rows = log.values_list(*columns).iterator(chunk_size=REBUILD_BATCH_SIZE)
                    for batch in _batches(map(_StoredEvent._make, rows), REBUILD_BATCH_SIZE):
                        _project(batch, None, convert=convert, stored=True)
                        count += len(batch)
    return count


def _is_most_of_the_projections(blog_id: int, events: int) -> bool:
    """Whether replaying the blog rewrites most of the entries (see bulk.indexes_built_after).

    It does when its events, an upper bound of its entries, outnumber the other blogs'
    entries; rebuilding a small blog among large ones keeps the indexes up to date instead.
    """
    return events >= Entry.objects.exclude(blog_id=blog_id).count()
