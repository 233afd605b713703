"""Commands: the only code that appends events to the log, and the only code that broadcasts.

Each command validates against the current state under the blog's stream lock, appends its
events with the next seq numbers, updates the projections in the same transaction and
schedules the broadcast for after the commit. A rolled-back command reaches no one.
"""

from __future__ import annotations

import dataclasses
import functools
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
from liveblog.bylines import NO_BYLINE, Byline
from liveblog.errors import (
    ConcurrentAppendError,
    EntryNotFoundError,
    InvalidEventError,
    InvalidTransitionError,
    LiveblogError,
    StaleRevisionError,
)
from liveblog.models import MAX_ACTOR_LENGTH, Blog, DeskEntry, Entry, Event, Media

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
#: How far ahead of the server clock an editor may date an entry before it is refused.
MAX_CLOCK_SKEW = timedelta(minutes=10)
#: The earliest newsroom time accepted. Long before any live blog, and far from year 1, whose
#: first hours do not exist in zones east of UTC and would crash every page showing them.
EARLIEST_OCCURRED_AT = datetime(1900, 1, 1, tzinfo=UTC)
#: How far ahead an update may be scheduled.
MAX_SCHEDULE_AHEAD = timedelta(days=366)
#: How the time fields are called on the desk's and the API's forms, for messages.
_TIME_NAMES = {"occurred_at": "Time", "publish_at": "Publication time"}


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
    #: The byline readers see (``liveblog.bylines``): "" names nobody.
    author: str = ""
    author_role: str = ""
    author_location: str = ""
    labels: Sequence[str] = ()
    #: As ``content.compose`` finds them (or an export carries them); none for text imports.
    media: Sequence[dict] = ()
    embeds: Sequence[dict] = ()


@dataclasses.dataclass(frozen=True)
class Writing:
    """An unpublished update as written on the desk or sent to the API."""

    body: str
    headline: str = ""
    key_event: bool = False
    pinned: bool = False
    #: The newsroom time it will show; None: the moment it is published.
    occurred_at: datetime | None = None
    byline: Byline = NO_BYLINE
    labels: Sequence[str] = ()

    def publication(self, *, entry_id: uuid.UUID | None = None) -> Publication:
        """The writing as an entry to publish now, under its byline."""
        return Publication(
            body=self.body,
            headline=self.headline,
            occurred_at=self.occurred_at,
            key_event=self.key_event,
            pinned=self.pinned,
            entry_id=entry_id,
            author=self.byline.name,
            author_role=self.byline.role,
            author_location=self.byline.location,
            labels=self.labels,
        )


Decide = Callable[[Blog], Sequence[PendingEvent]]
#: An entry, or its id (as text too: what a URL or a form carries; bad text is not found).
EntryRef = Entry | uuid.UUID | str

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
                transaction.on_commit(functools.partial(broadcast.send_events, rows), robust=True)
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


def _shown(value: datetime) -> str:
    """A time as an editor reads it: in the zone it was given in, to the minute."""
    return f"{value:%d %b %Y, %H:%M} {value.tzname() or ''}".strip()


def _checked_time(value: datetime, field: str) -> datetime:
    name = _TIME_NAMES.get(field, field)
    if timezone.is_naive(value):
        raise InvalidEventError(f"{name} needs a time zone or UTC offset.", field=field)
    try:
        too_early = value < EARLIEST_OCCURRED_AT
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00, which has no UTC equivalent
        too_early = True
    if too_early:
        raise InvalidEventError(
            f"{name} is before 1900 ({value.isoformat()}); check the date and time.",
            field=field,
        )
    return value


def _aware(value: datetime | None, field: str = "occurred_at") -> datetime | None:
    """A newsroom time: with its zone, after 1900, and not ahead of the clock."""
    if value is None:
        return None
    _checked_time(value, field)
    if value > timezone.now() + MAX_CLOCK_SKEW:
        raise InvalidEventError(
            f"{_TIME_NAMES.get(field, field)} is in the future ({_shown(value)}). Leave it "
            "empty for now, or schedule the update to be published then.",
            field=field,
        )
    return value


def _publication_time(value: datetime) -> datetime:
    """When a scheduled update is to go out: ahead of the clock, within a year."""
    _checked_time(value, "publish_at")
    now = timezone.now()
    if value <= now:
        raise InvalidEventError(
            f"Publication time has passed ({_shown(value)}); publish the update now instead, "
            "or choose a later time.",
            field="publish_at",
        )
    if value > now + MAX_SCHEDULE_AHEAD:
        raise InvalidEventError(
            f"Publication time is more than a year ahead ({_shown(value)}); check the date.",
            field="publish_at",
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
    labels: Sequence[str] = ev.DEFAULT_LABELS,
) -> Blog:
    """Create a draft blog: a new stream whose first event is blog.created.

    It offers its editors ``labels`` for their updates (by default ``events.DEFAULT_LABELS``).
    """
    created = ev.BlogCreated(
        slug=slug, title=title, description=description, time_zone=time_zone, labels=list(labels)
    )
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


def blog_set_labels(
    *, blog: Blog, labels: Sequence[str], actor: str, occurred_at: datetime | None = None
) -> Blog:
    """Choose the labels editors may give the blog's updates (the complete new set).

    Updates keep the labels they have; a label left out is no longer offered.
    """
    changed = ev.BlogLabelsChanged(labels=list(labels))

    def decide(locked: Blog) -> list[PendingEvent]:
        if locked.labels == changed.labels:
            return []
        return [PendingEvent(changed, occurred_at=_aware(occurred_at))]

    _append(blog=blog, actor=actor, decide=decide)
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
            author_role=item.author_role,
            author_location=item.author_location,
            labels=list(item.labels),
            media=list(item.media),
            embeds=list(item.embeds),
        ),
        entry_id=entry_id,
        occurred_at=_aware(item.occurred_at),
    )


def _blog_labels(blog: Blog, labels: Sequence[str]) -> list[str]:
    """The labels, as the blog spells them; one it does not offer is refused, naming it."""
    offered = {label.casefold(): label for label in blog.labels}
    chosen = []
    for label in labels:
        found = offered.get(str(label).strip().casefold())
        if found is None:
            choices = ", ".join(blog.labels) or "none yet"
            raise InvalidEventError(
                f"“{label}” is not one of this blog's labels ({choices}); an editor chooses "
                "them on the blog's page.",
                field="labels",
            )
        if found not in chosen:
            chosen.append(found)
    return chosen


def entries_publish(*, blog: Blog, publications: Sequence[Publication], actor: str) -> list[Event]:
    """Publish several entries in one append (imports); each is an ordinary entry.published.

    Labels are taken as they are (an export's, checked against the set it had then).
    """
    ids = [item.entry_id or uuid.uuid4() for item in publications]
    pending = [_published(item, entry_id) for item, entry_id in zip(publications, ids, strict=True)]

    def decide(locked: Blog) -> list[PendingEvent]:
        if len(set(ids)) != len(ids) or Entry.objects.filter(pk__in=ids).exists():
            raise InvalidTransitionError("An entry with that id has already been published.")
        if DeskEntry.objects.filter(pk__in=ids).exclude(blog_id=locked.pk).exists():
            raise InvalidTransitionError("An entry with that id belongs to another blog.")
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
    resent: list[Entry] = []

    def decide(locked: Blog) -> list[PendingEvent]:
        resent.clear()  # ``decide`` runs again when the append is retried
        existing = Entry.objects.filter(pk=entry_id).first()
        if existing is None:
            if DeskEntry.objects.filter(pk=entry_id).exists():
                raise InvalidTransitionError(
                    "An update with that id is on the desk; publish it from there."
                )
            labels = _blog_labels(locked, publication.labels)
            chosen = dataclasses.replace(
                publication, media=composition.media, embeds=composition.embeds, labels=labels
            )
            return [_published(chosen, entry_id)]
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
    byline: Byline = NO_BYLINE,
    labels: Sequence[str] = (),
) -> Entry:
    """Publish one update to the blog; it reaches readers as soon as it commits.

    Publishing the same ``entry_id`` and text again returns the entry and appends nothing
    (``entry_publish_once`` also says which of the two happened).
    """
    writing = Writing(
        body=body,
        headline=headline,
        occurred_at=occurred_at,
        key_event=key_event,
        pinned=pinned,
        byline=byline,
        labels=labels,
    )
    publication = writing.publication(entry_id=entry_id)
    return entry_publish_once(blog=blog, actor=actor, publication=publication).entry


def _entry_pk(entry: EntryRef) -> uuid.UUID:
    try:
        return entry.pk if isinstance(entry, Entry) else uuid.UUID(str(entry))
    except ValueError:
        raise EntryNotFoundError(f"There is no entry {entry}.") from None


def _entry_command(
    *,
    entry: EntryRef,
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
        _refuse_if_stale(current, based_on_revision, "entry")
        return [PendingEvent(make(current), entry_id=entry_id, occurred_at=_aware(occurred_at))]

    _append(blog=blog_id, actor=actor, decide=decide)
    return Entry.objects.get(pk=entry_id)


def _refuse_if_stale(current: Entry | DeskEntry, based_on_revision: int | None, what: str) -> None:
    """Refuse a change based on an older revision than ``current``'s (None: not checked)."""
    if based_on_revision is not None and current.revision != based_on_revision:
        raise StaleRevisionError(
            f"This {what} was changed since you opened it (you had revision "
            f"{based_on_revision}, it is now at revision {current.revision}). Nothing "
            "was saved; review the newer text and try again.",
            current=current,
        )


def _refuse_if_retracted(entry: Entry) -> None:
    if entry.is_retracted:
        raise InvalidTransitionError(
            f"This entry was retracted ({entry.retraction_reason}); it can no longer be changed."
        )


def entry_correct(
    *,
    entry: EntryRef,
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
    entry: EntryRef,
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


#: What each flag event sets: the Entry field, and the value it must not have already.
_FLAG_EVENTS: dict[type[ev.DomainEvent], tuple[str, bool]] = {
    ev.EntryPinned: ("pinned", True),
    ev.EntryUnpinned: ("pinned", False),
    ev.EntryMarkedKeyEvent: ("key_event", True),
    ev.EntryUnmarkedKeyEvent: ("key_event", False),
}


def _toggle(
    event: ev.DomainEvent, *, entry: EntryRef, actor: str, occurred_at: datetime | None
) -> Entry:
    flag, wanted = _FLAG_EVENTS[type(event)]

    def make(current: Entry) -> ev.DomainEvent:
        _refuse_if_retracted(current)
        if getattr(current, flag) == wanted:
            state = {"pinned": "pinned", "key_event": "a key event"}[flag]
            raise InvalidTransitionError(
                f"This entry is {'already' if wanted else 'not'} {state}; nothing to change."
            )
        return event

    return _entry_command(entry=entry, actor=actor, make=make, occurred_at=occurred_at)


def entry_set_labels(
    *,
    entry: EntryRef,
    labels: Sequence[str],
    actor: str,
    occurred_at: datetime | None = None,
) -> Entry:
    """Give a published entry these labels (the complete new set; empty removes them all).

    Labels must be among the blog's; setting the ones it has appends nothing.
    """

    def decide(locked: Blog, current: Entry) -> ev.DomainEvent | None:
        _refuse_if_retracted(current)
        chosen = _blog_labels(locked, labels)
        return None if chosen == current.labels else ev.EntryLabelsChanged(labels=chosen)

    entry_id = _entry_pk(entry)
    blog_id = _blog_of(entry, entry_id)

    def pending(locked: Blog) -> list[PendingEvent]:
        event = decide(locked, Entry.objects.get(pk=entry_id))
        if event is None:
            return []
        return [PendingEvent(event, entry_id=entry_id, occurred_at=_aware(occurred_at))]

    _append(blog=blog_id, actor=actor, decide=pending)
    return Entry.objects.get(pk=entry_id)


def _blog_of(entry: EntryRef, entry_id: uuid.UUID) -> int:
    if isinstance(entry, Entry):
        return entry.blog_id
    found = Entry.objects.filter(pk=entry_id).values_list("blog_id", flat=True).first()
    if found is None:
        raise EntryNotFoundError(f"There is no entry {entry_id}.")
    return found


def entry_pin(*, entry: EntryRef, actor: str, occurred_at: datetime | None = None) -> Entry:
    """Keep the entry at the top of the page."""
    return _toggle(ev.EntryPinned(), entry=entry, actor=actor, occurred_at=occurred_at)


def entry_unpin(*, entry: EntryRef, actor: str, occurred_at: datetime | None = None) -> Entry:
    """Return a pinned entry to its place in time."""
    return _toggle(ev.EntryUnpinned(), entry=entry, actor=actor, occurred_at=occurred_at)


def entry_mark_key_event(
    *, entry: EntryRef, actor: str, occurred_at: datetime | None = None
) -> Entry:
    """List the entry in the blog's key events."""
    return _toggle(ev.EntryMarkedKeyEvent(), entry=entry, actor=actor, occurred_at=occurred_at)


def entry_unmark_key_event(
    *, entry: EntryRef, actor: str, occurred_at: datetime | None = None
) -> Entry:
    """Remove the entry from the blog's key events."""
    return _toggle(ev.EntryUnmarkedKeyEvent(), entry=entry, actor=actor, occurred_at=occurred_at)


# --- The desk: drafts, schedules, submissions -----------------------------------------
# An update that is not published yet lives in the log as private desk.* events (see
# ``events``); ``DeskEntry`` is its projection. Its id is the id the entry gets once
# published, so publishing it twice publishes it once. Whether the user may publish, or only
# submit, is ``access.may``'s to say: the callers (the API, the desk) ask it first.

#: What ``desk_write`` may make of a new update.
DESK_STATES: dict[str, type[ev._DeskText]] = {
    DeskEntry.Status.DRAFT: ev.DeskDrafted,
    DeskEntry.Status.SUBMITTED: ev.DeskSubmitted,
    DeskEntry.Status.SCHEDULED: ev.DeskScheduled,
}


@dataclasses.dataclass(frozen=True)
class Written:
    """What ``desk_write`` did: the desk entry, and whether this call made it."""

    entry: DeskEntry
    created: bool


def _desk_text(
    event_class: type[ev._DeskText],
    writing: Writing,
    composition: content.Composition,
    labels: list[str],
    **extra: object,
) -> ev._DeskText:
    occurred_at = _aware(writing.occurred_at)
    return event_class(
        body=writing.body,
        headline=writing.headline,
        key_event=writing.key_event,
        pinned=writing.pinned,
        author=writing.byline.name,
        author_role=writing.byline.role,
        author_location=writing.byline.location,
        labels=labels,
        occurred_at=occurred_at.isoformat() if occurred_at else None,
        media=composition.media,
        embeds=composition.embeds,
        **extra,
    )


def desk_write(
    *,
    blog: Blog,
    actor: str,
    writing: Writing,
    status: str,
    publish_at: datetime | None = None,
    entry_id: uuid.UUID | None = None,
) -> Written:
    """Save a new unpublished update: a draft, a submission, or one scheduled for ``publish_at``.

    As for a publish, a client that may resend chooses ``entry_id``: the same id and text
    again gives the update back (``Written.created`` false) and appends nothing. The body's
    images and embeds are resolved now, outside the lock, and kept with the text, so that the
    publication later (at a scheduled time, say) fetches nothing.
    """
    try:
        event_class = DESK_STATES[status]
    except KeyError:
        raise InvalidEventError(f"An update cannot be saved as {status!r}.") from None
    extra: dict[str, object] = {}
    if event_class is ev.DeskScheduled:
        if publish_at is None:
            raise InvalidEventError("Choose when to publish it.", field="publish_at")
        extra["publish_at"] = _publication_time(publish_at).isoformat()
    composition = content.compose(blog_id=blog.pk, body=writing.body)
    entry_id = entry_id or uuid.uuid4()
    resent: list[DeskEntry] = []

    def decide(locked: Blog) -> list[PendingEvent]:
        resent.clear()
        existing = DeskEntry.objects.filter(pk=entry_id).first()
        if existing is not None:
            same = (existing.body, existing.headline) == (writing.body, writing.headline)
            if existing.blog_id != locked.pk or not same:
                raise InvalidTransitionError("An update with that id has already been saved.")
            resent.append(existing)
            return []
        if Entry.objects.filter(pk=entry_id).exists():
            raise InvalidTransitionError("An entry with that id has already been published.")
        labels = _blog_labels(locked, writing.labels)
        event = _desk_text(event_class, writing, composition, labels, **extra)
        return [PendingEvent(event, entry_id=entry_id)]

    _append(blog=blog, actor=actor, decide=decide)
    if resent:
        return Written(entry=resent[0], created=False)
    return Written(entry=DeskEntry.objects.get(pk=entry_id), created=True)


def _desk_entry(entry: DeskEntry | uuid.UUID) -> DeskEntry:
    try:
        entry_id = entry.pk if isinstance(entry, DeskEntry) else uuid.UUID(str(entry))
    except ValueError:
        raise EntryNotFoundError(f"There is no update {entry} on the desk.") from None
    found = DeskEntry.objects.filter(pk=entry_id).first()
    if found is None:
        raise EntryNotFoundError(f"There is no update {entry_id} on the desk.")
    return found


def _refuse_unless(current: DeskEntry, *states: str, doing: str) -> None:
    if current.status in states:
        return
    status = current.get_status_display().lower()
    if current.status == DeskEntry.Status.PUBLISHED:
        reason = "it has been published; correct it instead"
    elif current.status == DeskEntry.Status.CANCELLED:
        reason = "it was cancelled"
    else:
        reason = f"it is {status}"
    raise InvalidTransitionError(f"This update cannot be {doing}: {reason}.")


def _desk_command(
    *,
    entry: DeskEntry | uuid.UUID,
    actor: str,
    make: Callable[[Blog, DeskEntry], Sequence[PendingEvent]],
) -> DeskEntry:
    found = _desk_entry(entry)

    def decide(locked: Blog) -> Sequence[PendingEvent]:
        return make(locked, DeskEntry.objects.get(pk=found.pk))

    _append(blog=found.blog_id, actor=actor, decide=decide)
    return DeskEntry.objects.get(pk=found.pk)


def desk_revise(
    *,
    entry: DeskEntry | uuid.UUID,
    actor: str,
    writing: Writing,
    based_on_revision: int | None = None,
    resubmit: bool = False,
) -> DeskEntry:
    """Change an unpublished update's text, byline, labels or flags; it keeps its state.

    ``resubmit``: a returned submission goes back to the editors (a contributor's edit).
    Refused when it moved on since ``based_on_revision``; the same text again appends nothing.
    """
    found = _desk_entry(entry)
    composition = content.compose(blog_id=found.blog_id, body=writing.body)

    def make(locked: Blog, current: DeskEntry) -> list[PendingEvent]:
        _refuse_unless(current, *DeskEntry.OPEN, doing="changed")
        _refuse_if_stale(current, based_on_revision, "update")
        returned = current.status == DeskEntry.Status.RETURNED
        event_class = ev.DeskSubmitted if resubmit and returned else ev.DeskRevised
        labels = _blog_labels(locked, writing.labels)
        event = _desk_text(event_class, writing, composition, labels)
        unchanged = (
            event_class is ev.DeskRevised
            and current.body == event.body
            and current.headline == event.headline
            and (current.key_event, current.pinned) == (event.key_event, event.pinned)
            and (current.author_name, current.author_role, current.author_location)
            == (event.author, event.author_role, event.author_location)
            and current.labels == event.labels
            and (current.occurred_at.isoformat() if current.occurred_at else None)
            == event.occurred_at
        )
        return [] if unchanged else [PendingEvent(event, entry_id=current.pk)]

    return _desk_command(entry=found, actor=actor, make=make)


def desk_schedule(
    *, entry: DeskEntry | uuid.UUID, actor: str, publish_at: datetime | None
) -> DeskEntry:
    """Schedule a draft, or reschedule a scheduled update; ``None`` makes it a draft again."""
    when = _publication_time(publish_at).isoformat() if publish_at is not None else None

    def make(locked: Blog, current: DeskEntry) -> list[PendingEvent]:
        doing = "scheduled" if when else "unscheduled"
        _refuse_unless(current, DeskEntry.Status.DRAFT, DeskEntry.Status.SCHEDULED, doing=doing)
        now = current.publish_at.isoformat() if current.publish_at else None
        if current.status == DeskEntry.Status.DRAFT and when is None:
            return []
        if current.status == DeskEntry.Status.SCHEDULED and now == when:
            return []
        return [PendingEvent(ev.DeskScheduleChanged(publish_at=when), entry_id=current.pk)]

    return _desk_command(entry=entry, actor=actor, make=make)


def desk_return(*, entry: DeskEntry | uuid.UUID, actor: str, note: str) -> DeskEntry:
    """Send a submission back to its contributor, with a note saying what to change."""
    returned = ev.DeskReturned(note=note)

    def make(locked: Blog, current: DeskEntry) -> list[PendingEvent]:
        _refuse_unless(current, DeskEntry.Status.SUBMITTED, doing="returned")
        return [PendingEvent(returned, entry_id=current.pk)]

    return _desk_command(entry=entry, actor=actor, make=make)


def desk_cancel(*, entry: DeskEntry | uuid.UUID, actor: str) -> DeskEntry:
    """Drop an unpublished update: it will never be published (the log keeps it)."""

    def make(locked: Blog, current: DeskEntry) -> list[PendingEvent]:
        _refuse_unless(current, *DeskEntry.OPEN, doing="cancelled")
        return [PendingEvent(ev.DeskCancelled(), entry_id=current.pk)]

    return _desk_command(entry=entry, actor=actor, make=make)


def desk_publish(
    *, entry: DeskEntry | uuid.UUID, actor: str, due_at: datetime | None = None
) -> Published:
    """Publish an unpublished update now (a draft, a submission approved, a schedule let out).

    Appends desk.published (who let it out) and the entry.published readers get, with the
    update's id, in one append. Decided under the blog's lock: an update already published
    is handed back with nothing appended, so however many processes or clicks race, it is
    published once. ``due_at`` (the schedule): publish only a scheduled update whose time is
    at or before it; anything else (rescheduled, cancelled, published) is left alone.
    """
    found = _desk_entry(entry)
    outcome: list[bool] = []

    def make(locked: Blog, current: DeskEntry) -> list[PendingEvent]:
        outcome.clear()
        if due_at is not None and not (
            current.status == DeskEntry.Status.SCHEDULED
            and current.publish_at is not None
            and current.publish_at <= due_at
        ):
            return []
        if current.status == DeskEntry.Status.PUBLISHED:
            return []
        _refuse_unless(current, *DeskEntry.OPEN, doing="published")
        publication = Publication(
            body=current.body,
            headline=current.headline,
            occurred_at=current.occurred_at,
            key_event=current.key_event,
            pinned=current.pinned,
            entry_id=current.pk,
            author=current.author_name,
            author_role=current.author_role,
            author_location=current.author_location,
            labels=current.labels,
            media=current.media,
            embeds=current.embeds,
        )
        outcome.append(True)
        return [
            PendingEvent(ev.DeskPublished(), entry_id=current.pk),
            _published(publication, current.pk),
        ]

    _desk_command(entry=found, actor=actor, make=make)
    published = Entry.objects.filter(pk=found.pk).first()
    if published is None:
        raise InvalidTransitionError("This update is not due yet; nothing was published.")
    return Published(entry=published, created=bool(outcome))


def desk_record(
    *,
    blog: Blog,
    event: ev.DomainEvent,
    entry_id: uuid.UUID,
    actor: str,
    occurred_at: datetime | None = None,
) -> None:
    """Append one desk event of an export as it is (``import_liveblog``), if it fits.

    A new update's first event needs an id no update has; any other needs an update of this
    blog in a state that allows it (desk.published comes with its entry.published, the next
    line of the export, which the importer publishes).
    """

    def decide(locked: Blog) -> list[PendingEvent]:
        current = DeskEntry.objects.filter(pk=entry_id).first()
        creates = isinstance(event, ev.DeskDrafted | ev.DeskScheduled) or (
            isinstance(event, ev.DeskSubmitted) and current is None
        )
        if creates:
            if current is not None or Entry.objects.filter(pk=entry_id).exists():
                raise InvalidTransitionError(f"An update {entry_id} already exists.")
        elif current is None or current.blog_id != locked.pk:
            raise EntryNotFoundError(f"There is no update {entry_id} on this blog's desk.")
        else:
            allowed = {
                ev.DeskSubmitted: (DeskEntry.Status.RETURNED,),
                ev.DeskRevised: DeskEntry.OPEN,
                ev.DeskScheduleChanged: (DeskEntry.Status.DRAFT, DeskEntry.Status.SCHEDULED),
                ev.DeskReturned: (DeskEntry.Status.SUBMITTED,),
            }.get(type(event), DeskEntry.OPEN)
            _refuse_unless(current, *allowed, doing=f"changed by {event.TYPE}")
        return [PendingEvent(event, entry_id=entry_id, occurred_at=_aware(occurred_at))]

    _append(blog=blog, actor=actor, decide=decide)


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
