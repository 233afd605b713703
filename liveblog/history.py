"""The page as it stood (``?at=``): a blog at a past moment, rebuilt from the log.

A moment is newsroom time, the log's ``occurred_at``: an update exists from its publication's
time, has the words of its last correction up to then, and its pin, key-event and retraction
state from the events up to then, applied in seq order. That is exactly what replaying the
log's events up to the moment through ``liveblog.projections`` gives (``tests/test_history``
compares the two); for updates filed live it is when readers saw each change, and for an
imported blog the times of the page it came from.

Replaying a whole log per request would cost what a rebuild costs, so this reads only what
one page needs: the Entry projection for which updates existed (its ``occurred_at`` is the
publication's), the EntryRevision projection for their words then (each revision's time is
its event's, found by seq in the log), and from the log only the few events that change
flags or the blog itself. A page costs the same handful of indexed queries at any moment.

One rule holds here too: a retracted update's words never reach the public again, so an
update retracted *after* the moment shows only its notice, saying it was retracted later.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import cast

from django.db.models import Q

from liveblog import events as ev
from liveblog.errors import EntryNotFoundError
from liveblog.models import Blog, Entry, EntryRevision, Event

_PUBLISHED = ev.EntryPublished.TYPE
_CORRECTED = ev.EntryCorrected.TYPE
_RETRACTED = ev.EntryRetracted.TYPE
#: The events that change what an update says, or whether it is there.
_CHANGES = (_PUBLISHED, _CORRECTED, _RETRACTED)
#: Events that turn a flag on or off, and the flag and value each sets.
_FLAG_CHANGES = {
    ev.EntryPinned.TYPE: ("pinned", True),
    ev.EntryUnpinned.TYPE: ("pinned", False),
    ev.EntryMarkedKeyEvent.TYPE: ("key_event", True),
    ev.EntryUnmarkedKeyEvent.TYPE: ("key_event", False),
}
_BLOG_EVENTS = (
    ev.BlogCreated.TYPE,
    ev.BlogDetailsChanged.TYPE,
    ev.BlogOpened.TYPE,
    ev.BlogClosed.TYPE,
)


@dataclasses.dataclass
class BlogAt:
    """The blog's own state at the moment: what its header said then."""

    exists: bool = False
    title: str = ""
    description: str = ""
    time_zone: str = "UTC"
    status: str = Blog.Status.DRAFT
    coverage_start: datetime | None = None
    coverage_end: datetime | None = None

    @property
    def is_public(self) -> bool:
        return self.exists and self.status != Blog.Status.DRAFT

    def get_status_display(self) -> str:
        return str(Blog.Status(self.status).label)


@dataclasses.dataclass(frozen=True)
class Later:
    """What happened to a shown update after the moment, so the page can say so."""

    retracted_at: datetime | None
    corrected: bool


@dataclasses.dataclass
class PastPage:
    """One page of the blog as it stood at ``at``: the same parts as the page now."""

    at: datetime
    blog: BlogAt
    pinned: list[Entry]
    entries: list[Entry]
    next_before: int | None
    #: Per shown update, what came after the moment (absent: nothing did).
    later: dict[uuid.UUID, Later]
    previous_update_at: datetime | None
    next_update_at: datetime | None
    #: The moments readers saw the page change around ``at``: a publication, a correction
    #: or a retraction (the time control steps through them).
    previous_change_at: datetime | None = None
    next_change_at: datetime | None = None


def blog_at(blog: Blog, at: datetime) -> BlogAt:
    """Replay the blog's own events up to ``at`` (as ``projections`` applies them)."""
    state = BlogAt()
    rows = (
        Event.objects.filter(blog=blog, type__in=_BLOG_EVENTS, occurred_at__lte=at)
        .order_by("seq")
        .values_list("type", "schema_version", "payload", "occurred_at")
    )
    for type_name, version, payload, occurred_at in rows:
        data = ev.decode(type_name, version, payload, check=False)
        if isinstance(data, ev.BlogCreated):
            state = BlogAt(
                exists=True,
                title=data.title,
                description=data.description,
                time_zone=data.time_zone,
            )
        elif isinstance(data, ev.BlogDetailsChanged):
            state.title, state.description = data.title, data.description
            state.time_zone = data.time_zone
            state.coverage_start = _time(data.coverage_start)
            state.coverage_end = _time(data.coverage_end)
        elif isinstance(data, ev.BlogOpened):
            state.status = Blog.Status.LIVE
            state.coverage_start = state.coverage_start or occurred_at
            state.coverage_end = None
        elif isinstance(data, ev.BlogClosed):
            state.status = Blog.Status.CLOSED
            state.coverage_end = occurred_at
    return state


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclasses.dataclass
class _Flags:
    pinned: bool
    key_event: bool


def _flags_at(blog: Blog, at: datetime) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The updates pinned, and those marked as key events, at ``at``.

    Only updates whose flags ever changed after publication need the log: the others have
    their publication's flags still, which the projection holds. A retraction clears both.
    """
    # Entry events always name their entry.
    changes = cast(
        list[tuple[uuid.UUID, str, datetime]],
        list(
            Event.objects.filter(blog=blog, type__in=[*_FLAG_CHANGES, _RETRACTED])
            .order_by("seq")
            .values_list("entry_id", "type", "occurred_at")
        ),
    )
    changed = {entry_id for entry_id, _, _ in changes}
    flags: dict[uuid.UUID, _Flags] = {}
    publications = cast(
        list[tuple[uuid.UUID, int, dict, datetime]],
        Event.objects.filter(blog=blog, type=_PUBLISHED, entry_id__in=changed).values_list(
            "entry_id", "schema_version", "payload", "occurred_at"
        ),
    )
    for entry_id, version, payload, occurred_at in publications:
        if occurred_at <= at:
            data = ev.decode(_PUBLISHED, version, payload, check=False)
            assert isinstance(data, ev.EntryPublished)
            flags[entry_id] = _Flags(pinned=data.pinned, key_event=data.key_event)
    for entry_id, type_name, occurred_at in changes:
        state = flags.get(entry_id)
        if state is None or occurred_at > at:
            continue
        if type_name == _RETRACTED:
            state.pinned = state.key_event = False
        else:
            flag, value = _FLAG_CHANGES[type_name]
            setattr(state, flag, value)
    unchanged = (
        Entry.objects.filter(blog=blog, occurred_at__lte=at)
        .filter(Q(pinned=True) | Q(key_event=True))
        .exclude(pk__in=changed)
        .values_list("pk", "pinned", "key_event")
    )
    for entry_id, pinned, key_event in unchanged:
        flags[entry_id] = _Flags(pinned=pinned, key_event=key_event)
    pinned_ids = {entry_id for entry_id, state in flags.items() if state.pinned}
    key_ids = {entry_id for entry_id, state in flags.items() if state.key_event}
    return pinned_ids, key_ids


def page_at(
    blog: Blog,
    at: datetime,
    *,
    key_events_only: bool = False,
    before: int | None = None,
    size: int,
) -> PastPage:
    """The blog page (or its key events) as it stood at ``at``, newest first.

    ``before`` is the cursor of the page now (an update's ``published_seq``), so paging back
    works as it does on the live page. Raises EntryNotFoundError for a cursor that names no
    update of the blog at that moment.
    """
    state = blog_at(blog, at)
    published = Entry.objects.filter(blog=blog, occurred_at__lte=at)
    previous_update_at = (
        Entry.objects.filter(blog=blog, occurred_at__lt=at)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    next_update_at = (
        Entry.objects.filter(blog=blog, occurred_at__gt=at)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    changes = Event.objects.filter(blog=blog, type__in=_CHANGES).values_list(
        "occurred_at", flat=True
    )
    page = PastPage(
        at=at,
        blog=state,
        pinned=[],
        entries=[],
        next_before=None,
        later={},
        previous_update_at=previous_update_at,
        next_update_at=next_update_at,
        previous_change_at=changes.filter(occurred_at__lt=at).order_by("-occurred_at").first(),
        next_change_at=changes.filter(occurred_at__gt=at).order_by("occurred_at").first(),
    )
    if not state.is_public:
        # A draft's updates were the newsroom's alone: readers saw nothing yet.
        return page
    pinned_ids, key_ids = _flags_at(blog, at)
    newest_first = published.order_by("-occurred_at", "-published_seq")
    timeline = (
        newest_first.filter(pk__in=key_ids)
        if key_events_only
        else newest_first.exclude(pk__in=pinned_ids)
    )
    if before is not None:
        found = published.filter(published_seq=before).values("occurred_at").first()
        if found is None:
            raise EntryNotFoundError(
                f"There was no update published at seq {before} in {blog.slug!r} at that moment."
            )
        cursor = found["occurred_at"]
        timeline = timeline.filter(
            Q(occurred_at__lt=cursor) | Q(occurred_at=cursor, published_seq__lt=before)
        )
    rows = list(timeline[: size + 1])
    page.next_before = rows[size - 1].published_seq if len(rows) > size else None
    page.entries = rows[:size]
    if before is None and not key_events_only and pinned_ids:
        page.pinned = list(newest_first.filter(pk__in=pinned_ids))
    shown = [*page.pinned, *page.entries]
    page.later = _as_they_were(shown, at, pinned_ids=pinned_ids, key_ids=key_ids)
    return page


def _as_they_were(
    entries: list[Entry],
    at: datetime,
    *,
    pinned_ids: set[uuid.UUID],
    key_ids: set[uuid.UUID],
) -> dict[uuid.UUID, Later]:
    """Turn each projected update, in place, into what it was at ``at``; say what came later."""
    if not entries:
        return {}
    corrections: dict[uuid.UUID, list[tuple[int, datetime]]] = defaultdict(list)
    made_by_entry = cast(
        list[tuple[uuid.UUID, int, datetime]],
        Event.objects.filter(
            blog_id=entries[0].blog_id,
            type=_CORRECTED,
            entry_id__in=[entry.pk for entry in entries],
        )
        .order_by("seq")
        .values_list("entry_id", "seq", "occurred_at"),
    )
    for entry_id, seq, occurred_at in made_by_entry:
        corrections[entry_id].append((seq, occurred_at))
    # The words then are those of the last correction made by then (revision 1: the
    # publication's), and the revision number counts the corrections made by then.
    number_then: dict[uuid.UUID, int] = {}
    text_seq: dict[uuid.UUID, int] = {}
    corrected_at: dict[uuid.UUID, datetime] = {}
    for entry in entries:
        made = [(seq, when) for seq, when in corrections.get(entry.pk, ()) if when <= at]
        number_then[entry.pk] = 1 + len(made)
        text_seq[entry.pk] = made[-1][0] if made else entry.published_seq
        if made:
            corrected_at[entry.pk] = made[-1][1]
    older = [entry.pk for entry in entries if number_then[entry.pk] != entry.revision]
    revisions = {
        revision.entry_id: revision
        for revision in _revisions(older)
        if revision.seq == text_seq[revision.entry_id]
    }
    later: dict[uuid.UUID, Later] = {}
    for entry in entries:
        retracted_later = entry.retracted_at is not None and entry.retracted_at > at
        corrected_later = number_then[entry.pk] < entry.revision
        if retracted_later or corrected_later:
            later[entry.pk] = Later(
                retracted_at=entry.retracted_at if retracted_later else None,
                corrected=corrected_later,
            )
        entry.pinned = entry.pk in pinned_ids
        entry.key_event = entry.pk in key_ids
        entry.revision = number_then[entry.pk]
        entry.last_corrected_at = corrected_at.get(entry.pk)
        if entry.is_retracted:
            _withhold(entry)
        elif corrected_later:
            revision = revisions[entry.pk]
            entry.headline, entry.body, entry.body_html = (
                revision.headline,
                revision.body,
                revision.body_html,
            )
            entry.media, entry.embeds = revision.media, revision.embeds
            entry.correction_reason = revision.reason
    return later


def _revisions(entry_ids: Iterable[uuid.UUID]) -> Iterable[EntryRevision]:
    ids = list(entry_ids)
    if not ids:
        return []
    return EntryRevision.objects.filter(entry_id__in=ids).defer("actor")


def _withhold(entry: Entry) -> None:
    """A retracted update keeps its notice only, whatever the moment (see the module doc)."""
    entry.headline = entry.body = entry.body_html = entry.correction_reason = ""
    entry.media, entry.embeds = [], []
