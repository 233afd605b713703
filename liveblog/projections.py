"""Projections: apply events to the read tables (Blog fields, Entry, EntryRevision, Media,
MediaUse, EntryLabel, and the desk's DeskEntry).

``apply`` is called by commands inside the appending transaction. ``liveblog.rebuild``
replays a whole log with the same row builders and handlers, loading runs of publications
its own faster way, so a rebuild equals the live state. Runs of publications are inserted
in bulk, which is what makes imports fast.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import F, Value
from django.db.models.functions import Coalesce

from liveblog import bulk
from liveblog import events as ev
from liveblog import media as stored_media
from liveblog.errors import InvalidEventError
from liveblog.markup import analyse
from liveblog.models import Blog, DeskEntry, Entry, EntryLabel, EntryRevision, Media, MediaUse

if TYPE_CHECKING:
    # Projections are handed the log's rows; they never read the log themselves.
    from liveblog.models import Event


class StoredEvent(NamedTuple):
    """An Event row as a replay reads it (``liveblog.rebuild``), cheaper than a model instance.

    The values typed ``object`` are as the database stores them (``bulk.stored``): a
    publication's rows copy them as they are, never looking at them.
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


class PublicationRows(NamedTuple):
    """The rows one publication adds, as column values by attname."""

    entry: dict[str, object]
    revision: dict[str, object]
    labels: list[dict[str, object]]
    uses: list[dict[str, object]]


def _blog_created(event: Event, data: ev.BlogCreated) -> None:
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


def _blog_labels_changed(event: Event, data: ev.BlogLabelsChanged) -> None:
    Blog.objects.filter(pk=event.blog_id).update(labels=data.labels)


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _blog_details_changed(event: Event, data: ev.BlogDetailsChanged) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        title=data.title,
        description=data.description,
        time_zone=data.time_zone,
        coverage_start=_parse_time(data.coverage_start),
        coverage_end=_parse_time(data.coverage_end),
    )


def _blog_renamed(event: Event, data: ev.BlogRenamed) -> None:
    Blog.objects.filter(pk=event.blog_id).update(slug=data.slug)


def _blog_opened(event: Event, data: ev.BlogOpened) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        status=Blog.Status.LIVE,
        coverage_start=Coalesce(F("coverage_start"), Value(event.occurred_at)),
        coverage_end=None,
    )


def _blog_closed(event: Event, data: ev.BlogClosed) -> None:
    Blog.objects.filter(pk=event.blog_id).update(
        status=Blog.Status.CLOSED, coverage_end=event.occurred_at
    )


def _text(data: ev.EntryPublished | ev.EntryCorrected | ev._DeskText) -> dict[str, object]:
    """The columns that hold a text, as an entry, its revisions and the desk keep it."""
    return {
        "headline": data.headline,
        "body": data.body,
        # As readers see it, from the event alone (its media and embeds included).
        "body_html": analyse(data.body, media=data.media, embeds=data.embeds).html,
        "media": data.media,
        "embeds": data.embeds,
    }


def publication_rows(event: Event | StoredEvent, data: ev.EntryPublished) -> PublicationRows:
    """The Entry, first EntryRevision, EntryLabel and MediaUse rows of a publication."""
    text = _text(data)
    entry = {
        "id": event.entry_id,
        "blog_id": event.blog_id,
        **text,
        "occurred_at": event.occurred_at,
        "status": Entry.Status.PUBLISHED,
        "pinned": data.pinned,
        "key_event": data.key_event,
        "revision": 1,
        "author": event.actor,
        "author_name": data.author,
        "author_role": data.author_role,
        "author_location": data.author_location,
        "labels": data.labels,
        "published_seq": event.seq,
        "published_at": event.recorded_at,
        "last_seq": event.seq,
        "updated_at": event.recorded_at,
        "last_corrected_at": None,
        "correction_reason": "",
        "retracted_at": None,
        "retraction_reason": "",
    }
    revision = {
        "entry_id": event.entry_id,
        "number": 1,
        **text,
        "reason": "",
        "seq": event.seq,
        "recorded_at": event.recorded_at,
        "actor": event.actor,
    }
    uses = _use_rows(event, data) if data.media or data.embeds else []
    return PublicationRows(entry, revision, _label_rows(event, data.labels), uses)


def _entry_corrected(event: Event, data: ev.EntryCorrected) -> None:
    entry_id = _entry_id(event)
    number = Entry.objects.only("revision").get(pk=entry_id).revision + 1
    text = _text(data)
    Entry.objects.filter(pk=entry_id).update(
        **text,
        revision=number,
        last_corrected_at=event.occurred_at,
        correction_reason=data.reason,
        last_seq=event.seq,
        updated_at=event.recorded_at,
    )
    EntryRevision.objects.create(
        **text,
        entry_id=entry_id,
        number=number,
        reason=data.reason,
        seq=event.seq,
        recorded_at=event.recorded_at,
        actor=event.actor,
    )
    if data.media or data.embeds:
        known = MediaUse.objects.filter(entry_id=entry_id).values_list("name", flat=True)
        bulk.insert(MediaUse, _use_rows(event, data, set(known)))


def _use_rows(
    event: Event | StoredEvent,
    data: ev.EntryPublished | ev.EntryCorrected,
    known: Iterable[str] = (),
) -> list[dict[str, object]]:
    """The files the event's text shows that the entry had not shown before (``known``)."""
    names = stored_media.names_in_payload({"media": data.media, "embeds": data.embeds})
    return [
        {"entry_id": event.entry_id, "blog_id": event.blog_id, "name": name}
        for name in dict.fromkeys(names)
        if name not in known
    ]


def _label_rows(event: Event | StoredEvent, labels: Sequence[str]) -> list[dict[str, object]]:
    return [{"entry_id": event.entry_id, "blog_id": event.blog_id, "name": name} for name in labels]


def _entry_labels_changed(event: Event, data: ev.EntryLabelsChanged) -> None:
    _update_entry(event, labels=data.labels)
    EntryLabel.objects.filter(entry_id=_entry_id(event)).delete()
    bulk.insert(EntryLabel, _label_rows(event, data.labels))


# --- The desk ------------------------------------------------------------------------


def _desk_text(event: Event, data: ev._DeskText) -> dict[str, object]:
    return {
        **_text(data),
        "key_event": data.key_event,
        "pinned": data.pinned,
        "author_name": data.author,
        "author_role": data.author_role,
        "author_location": data.author_location,
        "labels": data.labels,
        "occurred_at": _parse_time(data.occurred_at),
    }


def _entry_id(event: Event) -> uuid.UUID:
    """The entry an entry or desk event concerns, which its row carries (``CONCERNS_ENTRY``)."""
    if event.entry_id is None:
        raise InvalidEventError(f"{event.type} #{event.seq} names no entry.")
    return event.entry_id


def _update_desk_entry(event: Event, **fields: object) -> None:
    DeskEntry.objects.filter(pk=_entry_id(event)).update(
        last_seq=event.seq, updated_at=event.recorded_at, **fields
    )


def _desk_written(event: Event, data: ev._DeskText) -> None:
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


def _desk_revised(event: Event, data: ev.DeskRevised) -> None:
    _update_desk_entry(event, revision=F("revision") + 1, **_desk_text(event, data))


def _desk_schedule_changed(event: Event, data: ev.DeskScheduleChanged) -> None:
    if data.publish_at is None:
        _update_desk_entry(event, status=DeskEntry.Status.DRAFT, publish_at=None)
        return
    _update_desk_entry(
        event,
        status=DeskEntry.Status.SCHEDULED,
        publish_at=_parse_time(data.publish_at),
        scheduled_by=event.actor,
    )


def _desk_decided(status: str) -> Callable[[Event, Any], None]:
    def handler(event: Event, data: ev.DomainEvent) -> None:
        note = {"note": data.note} if isinstance(data, ev.DeskReturned) else {}
        _update_desk_entry(event, status=status, decided_by=event.actor, **note)

    return handler


def _media_uploaded(event: Event, data: ev.DomainEvent) -> None:
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


def _entry_retracted(event: Event, data: ev.EntryRetracted) -> None:
    # A retracted entry neither stays on top nor counts as a key event.
    _update_entry(
        event,
        status=Entry.Status.RETRACTED,
        retracted_at=event.occurred_at,
        retraction_reason=data.reason,
        pinned=False,
        key_event=False,
    )


def _update_entry(event: Event, **fields: object) -> None:
    Entry.objects.filter(pk=_entry_id(event)).update(
        last_seq=event.seq, updated_at=event.recorded_at, **fields
    )


# Each handler takes its own event type, which the dict's key names.
_HANDLERS: dict[type[ev.DomainEvent], Callable[[Event, Any], None]] = {
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


def apply(events: Sequence[Event], decoded: Sequence[ev.DomainEvent] | None = None) -> None:
    """Apply events, in seq order, to the projections (inside the caller's transaction).

    ``decoded`` are the events' domain objects when the caller has them already (a command
    that just built them); otherwise each row's payload is decoded (and upcast) here, as
    the log's rows are: checked when they were appended (see ``events``).
    """
    publications: list[PublicationRows] = []
    last_by_blog: dict[int, Event] = {}
    for index, event in enumerate(events):
        data = (
            decoded[index]
            if decoded is not None
            else ev.decode(event.type, event.schema_version, event.payload, check=False)
        )
        last_by_blog[event.blog_id] = event
        if isinstance(data, ev.EntryPublished):
            publications.append(publication_rows(event, data))
            continue
        insert_publications(publications)
        publications.clear()
        _HANDLERS[type(data)](event, data)
    insert_publications(publications)
    for last in last_by_blog.values():
        caught_up(last)


def insert_publications(publications: Sequence[PublicationRows]) -> None:
    """Insert the rows of a run of publications, one statement per table."""
    if not publications:
        return
    bulk.insert(Entry, [rows.entry for rows in publications])
    bulk.insert(EntryRevision, [rows.revision for rows in publications])
    bulk.insert(EntryLabel, [label for rows in publications for label in rows.labels])
    bulk.insert(MediaUse, [use for rows in publications for use in rows.uses])


def caught_up(last: Event) -> None:
    """Record that the blog's projections include its log up to ``last``."""
    Blog.objects.filter(pk=last.blog_id).update(last_seq=last.seq, updated_at=last.recorded_at)


def clear(blog_id: int, *, but_publications: bool = False) -> None:
    """Delete a blog's projections, all but its Blog row, for a replay to write them again.

    ``but_publications`` keeps its entries and their first revisions, for a replay that
    writes only the rows it finds wrong (``liveblog.rebuild``).
    """
    # Plain statements, not Django's cascade, which loads and deletes the rows one by one.
    revisions = EntryRevision.objects.filter(entry__blog_id=blog_id)
    if but_publications:
        revisions = revisions.exclude(number=1)
    revisions._raw_delete(using="default")
    EntryLabel.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    MediaUse.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    if not but_publications:
        Entry.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    Media.objects.filter(blog_id=blog_id)._raw_delete(using="default")
    DeskEntry.objects.filter(blog_id=blog_id)._raw_delete(using="default")
