"""Commands: the only code that appends events to the log, and the only code that broadcasts.

Each command validates against the current state under the blog's stream lock, appends its
events with the next seq numbers, updates the projections in the same transaction and
schedules the broadcast for after the commit. A rolled-back command reaches no one.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from liveblog import broadcast, bulk, content, images, projections
from liveblog import events as ev
from liveblog import media as stored_media
from liveblog.errors import (
    ConcurrentAppendError,
    EntryNotFoundError,
    InvalidEventError,
    InvalidTransitionError,
    LiveblogError,
    StaleRevisionError,
)
from liveblog.models import Blog, Entry, Event, Media

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
#: How far ahead of the server clock an editor may date an entry before it is refused.
MAX_CLOCK_SKEW = timedelta(minutes=10)
#: Event.actor's column size.
MAX_ACTOR_LENGTH = Event._meta.get_field("actor").max_length
#: The earliest newsroom time accepted. Long before any live blog, and far from year 1, whose
#: first hours do not exist in zones east of UTC and would crash every page showing them.
EARLIEST_OCCURRED_AT = datetime(1900, 1, 1, tzinfo=UTC)


@dataclasses.dataclass(frozen=True)
class PendingEvent:
    """An event a command decided to append, before it has a seq."""

    event: ev.DomainEvent
    entry_id: uuid.UUID | None = None
    occurred_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class Publication:
    """One entry to publish in a batch (see ``entries_publish``)."""

    body: str
    headline: str = ""
    occurred_at: datetime | None = None
    key_event: bool = False
    pinned: bool = False
    entry_id: uuid.UUID | None = None
    author: str = ""  # the byline's display name (imports), "" for none
    #: As ``content.compose`` finds them (or an export carries them); none for text imports.
    media: Sequence[dict] = ()
    embeds: Sequence[dict] = ()


Decide = Callable[[Blog], Sequence[PendingEvent]]

_EVENT_ATTNAMES = [field.attname for field in Event._meta.concrete_fields]


def _new_event(**values: object) -> Event:
    # Positional construction takes Django's fast path; with keywords, building 100,000
    # events for an import cost seconds.
    return Event(*(values[name] for name in _EVENT_ATTNAMES))


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        # Only a collision on (blog, seq) is a race; other integrity errors are bugs.
        text = str(exc)
        return "liveblog_event_unique_seq" in text or "liveblog_event.blog_id" in text
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def _append(*, blog: Blog | int, actor: str, decide: Decide) -> list[Event]:
    """Lock the stream, let ``decide`` validate and choose events, append and project them."""
    blog_id = blog if isinstance(blog, int) else blog.pk
    if not actor:
        raise InvalidEventError("Every event needs an actor (who did it).", field="actor")
    if len(actor) > MAX_ACTOR_LENGTH:
        # The column would refuse it on PostgreSQL (SQLite would keep it): refuse it here.
        raise InvalidEventError(
            f"The actor is {len(actor):,} characters long; the limit is {MAX_ACTOR_LENGTH}.",
            field="actor",
        )
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                locked = Blog.objects.select_for_update().get(pk=blog_id)
                pending = decide(locked)
                if not pending:
                    return []
                now = timezone.now()
                rows = [
                    _new_event(
                        id=None,
                        blog_id=blog_id,
                        seq=locked.last_seq + offset,
                        type=item.event.TYPE,
                        entry_id=item.entry_id,
                        payload=item.event.to_payload(),
                        schema_version=item.event.VERSION,
                        occurred_at=item.occurred_at or now,
                        recorded_at=now,
                        actor=actor,
                    )
                    for offset, item in enumerate(pending, start=1)
                ]
                bulk.insert(Event, rows)
                projections.apply(rows, [item.event for item in pending])
                transaction.on_commit(lambda rows=rows: broadcast.send_events(rows), robust=True)
            return rows
        except (IntegrityError, OperationalError) as exc:
            if not _is_retryable(exc):
                raise
            if attempt == MAX_ATTEMPTS or transaction.get_connection().in_atomic_block:
                raise ConcurrentAppendError(
                    "Another editor was writing to this blog at the same moment and the "
                    "update could not be saved. Nothing was written; please try again."
                ) from exc
            logger.info("Append to blog %s collided (attempt %s); retrying", blog_id, attempt)
            time.sleep(random.uniform(0.005, 0.02) * attempt)
    raise AssertionError("unreachable")


def _aware(value: datetime | None, field: str = "occurred_at") -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        raise InvalidEventError(f"{field} must carry a time zone.", field=field)
    try:
        too_early = value < EARLIEST_OCCURRED_AT
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00, which has no UTC equivalent
        too_early = True
    if too_early:
        raise InvalidEventError(
            f"{field} is before 1900 ({value.isoformat()}); check the date and time.",
            field=field,
        )
    if value > timezone.now() + MAX_CLOCK_SKEW:
        raise InvalidEventError(
            f"{field} is in the future ({value.isoformat()}); check the date and time.",
            field=field,
        )
    return value


# --- Blogs ----------------------------------------------------------------------------


def blog_create(
    *,
    slug: str,
    title: str,
    actor: str,
    description: str = "",
    time_zone: str = "UTC",
    occurred_at: datetime | None = None,
) -> Blog:
    """Create a draft blog: a new stream whose first event is blog.created."""
    created = ev.BlogCreated(slug=slug, title=title, description=description, time_zone=time_zone)
    with transaction.atomic():
        if Blog.objects.filter(slug=slug).exists():
            raise LiveblogError(f"A blog called {slug!r} already exists.", field="slug")
        try:
            with transaction.atomic():
                blog = Blog.objects.create(slug=slug, title=title, time_zone=time_zone)
        except IntegrityError:  # a colleague created the same slug a moment ago
            raise LiveblogError(f"A blog called {slug!r} already exists.", field="slug") from None
        _append(
            blog=blog,
            actor=actor,
            decide=lambda _: [PendingEvent(created, occurred_at=_aware(occurred_at))],
        )
    blog.refresh_from_db()
    return blog


def blog_update(
    *,
    blog: Blog,
    actor: str,
    title: str,
    description: str,
    time_zone: str,
    coverage_start: datetime | None = None,
    coverage_end: datetime | None = None,
) -> Blog:
    """Change the blog's presentation; appends nothing when nothing changed."""
    changed = ev.BlogDetailsChanged(
        title=title,
        description=description,
        time_zone=time_zone,
        coverage_start=coverage_start.isoformat() if coverage_start else None,
        coverage_end=coverage_end.isoformat() if coverage_end else None,
    )

    def decide(locked: Blog) -> list[PendingEvent]:
        current = (
            locked.title,
            locked.description,
            locked.time_zone,
            locked.coverage_start,
            locked.coverage_end,
        )
        if current == (title, description, time_zone, coverage_start, coverage_end):
            return []
        return [PendingEvent(changed)]

    _append(blog=blog, actor=actor, decide=decide)
    blog.refresh_from_db()
    return blog


def blog_rename(*, blog: Blog, slug: str, actor: str) -> Blog:
    """Give the blog a new slug (its address): only while ``Blog.slug_can_change``."""
    renamed = ev.BlogRenamed(slug=slug)
    taken = LiveblogError(f"A blog called {slug!r} already exists.", field="slug")

    def decide(locked: Blog) -> list[PendingEvent]:
        if locked.slug == slug:
            return []
        if not locked.slug_can_change:
            raise InvalidTransitionError(
                f"{locked.title!r} is {locked.get_status_display().lower()}: readers have links "
                f"to it as {locked.slug!r}, so its address stays.",
                field="slug",
            )
        if Blog.objects.filter(slug=slug).exists():
            raise taken
        return [PendingEvent(renamed)]

    try:
        _append(blog=blog, actor=actor, decide=decide)
    except IntegrityError:  # a colleague gave a blog that slug a moment ago
        raise taken from None
    blog.refresh_from_db()
    return blog


def blog_open(*, blog: Blog, actor: str, occurred_at: datetime | None = None) -> Blog:
    """Put the blog live: readers can see it and follow it."""

    def decide(locked: Blog) -> list[PendingEvent]:
        if locked.status == Blog.Status.LIVE:
            raise InvalidTransitionError(f"{locked.title!r} is already live.")
        return [PendingEvent(ev.BlogOpened(), occurred_at=_aware(occurred_at))]

    _append(blog=blog, actor=actor, decide=decide)
    blog.refresh_from_db()
    return blog


def blog_close(*, blog: Blog, actor: str, occurred_at: datetime | None = None) -> Blog:
    """End live coverage; the blog stays readable as an archive."""

    def decide(locked: Blog) -> list[PendingEvent]:
        if locked.status != Blog.Status.LIVE:
            raise InvalidTransitionError(
                f"{locked.title!r} is {locked.get_status_display().lower()}; only a live "
                "blog can be closed."
            )
        return [PendingEvent(ev.BlogClosed(), occurred_at=_aware(occurred_at))]

    _append(blog=blog, actor=actor, decide=decide)
    blog.refresh_from_db()
    return blog


# --- Entries --------------------------------------------------------------------------


def _published(item: Publication, entry_id: uuid.UUID) -> PendingEvent:
    return PendingEvent(
        ev.EntryPublished(
            body=item.body,
            headline=item.headline,
            key_event=item.key_event,
            pinned=item.pinned,
            author=item.author,
            media=list(item.media),
            embeds=list(item.embeds),
        ),
        entry_id=entry_id,
        occurred_at=_aware(item.occurred_at),
    )


def entries_publish(*, blog: Blog, publications: Sequence[Publication], actor: str) -> list[Event]:
    """Publish several entries in one append (imports); each is an ordinary entry.published."""
    ids = [item.entry_id or uuid.uuid4() for item in publications]
    pending = [_published(item, entry_id) for item, entry_id in zip(publications, ids, strict=True)]

    def decide(locked: Blog) -> list[PendingEvent]:
        if len(set(ids)) != len(ids) or Entry.objects.filter(pk__in=ids).exists():
            raise InvalidTransitionError("An entry with that id has already been published.")
        return pending

    return _append(blog=blog, actor=actor, decide=decide)


@dataclasses.dataclass(frozen=True)
class Published:
    """What ``entry_publish_once`` did: the entry, and whether this call published it."""

    entry: Entry
    created: bool


def entry_publish_once(*, blog: Blog, actor: str, publication: Publication) -> Published:
    """Publish one update, or recognise a resent one; say which (``Published.created``).

    Clients that may resend (a retry after a timeout, a form sent twice) choose ``entry_id``
    themselves: the same id with the same text is the entry they already published, handed
    back with nothing appended; with other text, or in another blog, it is refused. This is
    decided under the stream lock, so of two identical publishes racing each other exactly
    one creates the entry. The body's images and embeds are resolved first, outside the
    lock: fetching embeds takes up to ``LIVEBLOG_EMBED_TIMEOUT`` seconds and must not hold
    other editors up.
    """
    composition = content.compose(blog_id=blog.pk, body=publication.body)
    entry_id = publication.entry_id or uuid.uuid4()
    pending = _published(
        dataclasses.replace(publication, media=composition.media, embeds=composition.embeds),
        entry_id,
    )
    resent: list[Entry] = []

    def decide(locked: Blog) -> list[PendingEvent]:
        resent.clear()  # ``decide`` runs again when the append is retried
        existing = Entry.objects.filter(pk=entry_id).first()
        if existing is None:
            return [pending]
        same_text = (existing.body, existing.headline) == (publication.body, publication.headline)
        if existing.blog_id != locked.pk or not same_text:
            raise InvalidTransitionError("An entry with that id has already been published.")
        resent.append(existing)
        return []

    _append(blog=blog, actor=actor, decide=decide)
    if resent:
        return Published(entry=resent[0], created=False)
    return Published(entry=Entry.objects.get(pk=entry_id), created=True)


def entry_publish(
    *,
    blog: Blog,
    body: str,
    actor: str,
    headline: str = "",
    occurred_at: datetime | None = None,
    key_event: bool = False,
    pinned: bool = False,
    entry_id: uuid.UUID | None = None,
) -> Entry:
    """Publish one update to the blog; it reaches readers as soon as it commits.

    Publishing the same ``entry_id`` and text again returns the entry and appends nothing
    (``entry_publish_once`` also says which of the two happened).
    """
    publication = Publication(
        body=body,
        headline=headline,
        occurred_at=occurred_at,
        key_event=key_event,
        pinned=pinned,
        entry_id=entry_id,
    )
    return entry_publish_once(blog=blog, actor=actor, publication=publication).entry


def _entry_pk(entry: Entry | uuid.UUID) -> uuid.UUID:
    try:
        return entry.pk if isinstance(entry, Entry) else uuid.UUID(str(entry))
    except ValueError:
        raise EntryNotFoundError(f"There is no entry {entry}.") from None


def _entry_command(
    *,
    entry: Entry | uuid.UUID,
    actor: str,
    make: Callable[[Entry], ev.DomainEvent],
    based_on_revision: int | None = None,
    occurred_at: datetime | None = None,
) -> Entry:
    # Always a UUID: the broadcast matches log rows to entries by it.
    entry_id = _entry_pk(entry)
    blog_id = (
        entry.blog_id
        if isinstance(entry, Entry)
        else Entry.objects.filter(pk=entry_id).values_list("blog_id", flat=True).first()
    )
    if blog_id is None:
        raise EntryNotFoundError(f"There is no entry {entry_id}.")

    def decide(_: Blog) -> list[PendingEvent]:
        current = Entry.objects.get(pk=entry_id)
        if based_on_revision is not None and current.revision != based_on_revision:
            raise StaleRevisionError(
                f"This entry was changed since you opened it (you had revision "
                f"{based_on_revision}, it is now at revision {current.revision}). Nothing "
                "was saved; review the newer text and try again.",
                current=current,
            )
        return [PendingEvent(make(current), entry_id=entry_id, occurred_at=_aware(occurred_at))]

    _append(blog=blog_id, actor=actor, decide=decide)
    return Entry.objects.get(pk=entry_id)


def _refuse_if_retracted(entry: Entry) -> None:
    if entry.is_retracted:
        raise InvalidTransitionError(
            f"This entry was retracted ({entry.retraction_reason}); it can no longer be changed."
        )


def entry_correct(
    *,
    entry: Entry | uuid.UUID,
    body: str,
    reason: str,
    actor: str,
    headline: str | None = None,
    based_on_revision: int | None = None,
    occurred_at: datetime | None = None,
    media: Sequence[dict] | None = None,
    embeds: Sequence[dict] | None = None,
) -> Entry:
    """Replace an entry's text; readers see the reason and can read what it said before.

    The new text's images and embeds are resolved as for a publish, unless ``media`` and
    ``embeds`` are given (an import replaying an export).
    """
    if media is None or embeds is None:
        blog_id = Entry.objects.filter(pk=_entry_pk(entry)).values_list("blog_id", flat=True)
        found = blog_id.first()
        if found is None:
            raise EntryNotFoundError(f"There is no entry {entry}.")
        composition = content.compose(blog_id=found, body=body)
        media, embeds = composition.media, composition.embeds

    def make(current: Entry) -> ev.DomainEvent:
        _refuse_if_retracted(current)
        new_headline = current.headline if headline is None else headline
        correction = ev.EntryCorrected(
            body=body,
            headline=new_headline,
            reason=reason,
            media=list(media or ()),
            embeds=list(embeds or ()),
        )
        if (current.body, current.headline) == (body, new_headline):
            raise InvalidTransitionError(
                "The correction is identical to the current text; change something first.",
                field="body",
            )
        return correction

    return _entry_command(
        entry=entry,
        actor=actor,
        make=make,
        based_on_revision=based_on_revision,
        occurred_at=occurred_at,
    )


def entry_retract(
    *,
    entry: Entry | uuid.UUID,
    reason: str,
    actor: str,
    based_on_revision: int | None = None,
    occurred_at: datetime | None = None,
) -> Entry:
    """Withdraw an entry; readers see a notice with the reason, and the history stays."""

    def make(current: Entry) -> ev.DomainEvent:
        retraction = ev.EntryRetracted(reason=reason)
        _refuse_if_retracted(current)
        return retraction

    return _entry_command(
        entry=entry,
        actor=actor,
        make=make,
        based_on_revision=based_on_revision,
        occurred_at=occurred_at,
    )


def _toggle(
    *,
    entry: Entry | uuid.UUID,
    actor: str,
    flag: str,
    wanted: bool,
    event: ev.DomainEvent,
    occurred_at: datetime | None,
) -> Entry:
    def make(current: Entry) -> ev.DomainEvent:
        _refuse_if_retracted(current)
        if getattr(current, flag) == wanted:
            state = {"pinned": "pinned", "key_event": "a key event"}[flag]
            raise InvalidTransitionError(
                f"This entry is {'already' if wanted else 'not'} {state}; nothing to change."
            )
        return event

    return _entry_command(entry=entry, actor=actor, make=make, occurred_at=occurred_at)


def entry_pin(
    *, entry: Entry | uuid.UUID, actor: str, occurred_at: datetime | None = None
) -> Entry:
    """Keep the entry at the top of the page."""
    return _toggle(
        entry=entry,
        actor=actor,
        flag="pinned",
        wanted=True,
        event=ev.EntryPinned(),
        occurred_at=occurred_at,
    )


def entry_unpin(
    *, entry: Entry | uuid.UUID, actor: str, occurred_at: datetime | None = None
) -> Entry:
    """Return a pinned entry to its place in time."""
    return _toggle(
        entry=entry,
        actor=actor,
        flag="pinned",
        wanted=False,
        event=ev.EntryUnpinned(),
        occurred_at=occurred_at,
    )


def entry_mark_key_event(
    *, entry: Entry | uuid.UUID, actor: str, occurred_at: datetime | None = None
) -> Entry:
    """List the entry in the blog's key events."""
    return _toggle(
        entry=entry,
        actor=actor,
        flag="key_event",
        wanted=True,
        event=ev.EntryMarkedKeyEvent(),
        occurred_at=occurred_at,
    )


def entry_unmark_key_event(
    *, entry: Entry | uuid.UUID, actor: str, occurred_at: datetime | None = None
) -> Entry:
    """Remove the entry from the blog's key events."""
    return _toggle(
        entry=entry,
        actor=actor,
        flag="key_event",
        wanted=False,
        event=ev.EntryUnmarkedKeyEvent(),
        occurred_at=occurred_at,
    )


# --- Media ----------------------------------------------------------------------------


def media_upload(
    *,
    blog: Blog,
    data: bytes,
    filename: str,
    alt: str,
    actor: str,
    caption: str = "",
    credit: str = "",
    max_bytes: int,
    max_pixels: int,
) -> Media:
    """Check and store an image for the blog's entries; its media.uploaded goes in the log.

    Refusals (not an accepted image, no alt text, ...) store nothing. The renditions are
    stored before the event is appended, outside the stream lock: if the append then fails,
    the files stay behind unreferenced, which their content-addressed names make harmless.
    """
    processed = images.process(data, filename=filename, max_bytes=max_bytes, max_pixels=max_pixels)
    uploaded = ev.MediaUploaded(
        media_id=str(uuid.uuid4()),
        alt=alt,
        caption=caption,
        credit=credit,
        content_type=processed.content_type,
        files=[stored_media.file_dict(item) for item in processed.renditions],
    )
    stored_media.store(processed.renditions)
    _append(blog=blog, actor=actor, decide=lambda _: [PendingEvent(uploaded)])
    return Media.objects.get(pk=uploaded.media_id)


def media_record(
    *,
    blog: Blog,
    uploaded: ev.MediaUploaded,
    actor: str,
    occurred_at: datetime | None = None,
    available: set[str] | None = None,
) -> Media:
    """Append a media.uploaded whose files are stored already (an import of an export).

    ``available`` names files known to be there besides those in storage (a dry run's).
    """
    missing = [
        file["name"]
        for file in uploaded.files
        if file["name"] not in (available or ()) and not stored_media.exists(file["name"])
    ]
    if missing:
        raise InvalidEventError(
            f"The media files {', '.join(missing)} are not in storage; import the export's "
            "archive (.zip), which holds them.",
            field="files",
        )
    if Media.objects.filter(pk=uploaded.media_id).exists():
        raise InvalidTransitionError(f"Media {uploaded.media_id} is already in a blog.")
    _append(
        blog=blog,
        actor=actor,
        decide=lambda _: [PendingEvent(uploaded, occurred_at=_aware(occurred_at))],
    )
    return Media.objects.get(pk=uploaded.media_id)
