"""The public record of a blog's corrections and retractions (``/blogs/<slug>/corrections/``).

Read from the log (which change, when, in newsroom time) and the EntryRevision projection
(the words before and after, to show what changed). A retracted update's words never reach
the public again: its retraction is listed with its reason, and its earlier corrections only
with their times, since their reasons and changes describe, and often quote, what was
withdrawn.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import cast

from django.db.models import Q
from django.utils.safestring import SafeString

from liveblog import events as ev
from liveblog.diffs import word_diff
from liveblog.errors import EntryNotFoundError
from liveblog.models import Blog, Entry, EntryRevision, Event

CORRECTED = ev.EntryCorrected.TYPE
RETRACTED = ev.EntryRetracted.TYPE
#: Changes per page of the list and per Atom feed.
PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class Change:
    """One correction or retraction, as the public may read it."""

    entry: Entry
    kind: str  # CORRECTED or RETRACTED
    seq: int
    at: datetime
    #: The reason readers were given; "" when withheld (the update was retracted later).
    reason: str
    #: For a correction: its revision number and the words it changed (None: withheld or,
    #: for the headline, unchanged).
    revision: int | None = None
    headline_change: SafeString | None = None
    body_change: SafeString | None = None

    @property
    def is_retraction(self) -> bool:
        return self.kind == RETRACTED

    @property
    def withheld(self) -> bool:
        return self.kind == CORRECTED and self.entry.is_retracted

    @property
    def anchor(self) -> str:
        return f"change-{self.seq}"

    @property
    def guid(self) -> str:
        """A stable id for the feed: the same change keeps it whatever the site's address."""
        return uuid.uuid5(self.entry.id, str(self.seq)).urn


def changes_page(
    blog: Blog, *, before: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[Change], int | None]:
    """A page of the blog's corrections and retractions, newest first, and the next cursor.

    The cursor is the seq of the page's last change (the order is newsroom time, then seq).
    Raises EntryNotFoundError for a cursor that names no change of the blog.
    """
    log = Event.objects.filter(blog=blog, type__in=[CORRECTED, RETRACTED])
    if before is not None:
        found = log.filter(seq=before).values("occurred_at").first()
        if found is None:
            raise EntryNotFoundError(f"There is no correction at seq {before} in {blog.slug!r}.")
        at = found["occurred_at"]
        log = log.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, seq__lt=before))
    # Entry events always name their entry.
    rows = cast(
        list[tuple[uuid.UUID, str, int, datetime]],
        list(
            log.order_by("-occurred_at", "-seq").values_list(
                "entry_id", "type", "seq", "occurred_at"
            )[: size + 1]
        ),
    )
    next_before = rows[size - 1][2] if len(rows) > size else None
    rows = rows[:size]
    entries = {entry.pk: entry for entry in Entry.objects.filter(pk__in={row[0] for row in rows})}
    for entry in entries.values():
        entry.blog = blog  # permalinks need the slug; the blog is at hand
    readable = [entry_id for entry_id, entry in entries.items() if not entry.is_retracted]
    texts = {
        (revision.entry_id, revision.number): revision
        for revision in EntryRevision.objects.filter(entry_id__in=readable).only(
            "entry_id", "number", "seq", "headline", "body", "reason"
        )
    }
    numbers = {revision.seq: key for key, revision in texts.items()}
    changes = []
    for entry_id, type_name, seq, occurred_at in rows:
        entry = entries[entry_id]
        if type_name == RETRACTED:
            changes.append(Change(entry, RETRACTED, seq, occurred_at, entry.retraction_reason))
        elif entry.is_retracted:
            changes.append(Change(entry, CORRECTED, seq, occurred_at, ""))
        else:
            key = numbers[seq]
            after, before_it = texts[key], texts[(entry_id, key[1] - 1)]
            changes.append(
                Change(
                    entry,
                    CORRECTED,
                    seq,
                    occurred_at,
                    after.reason,
                    revision=after.number,
                    headline_change=(
                        word_diff(before_it.headline, after.headline)
                        if before_it.headline != after.headline
                        else None
                    ),
                    body_change=word_diff(before_it.body, after.body),
                )
            )
    return changes, next_before
