"""Chronology: deciding a.m. or p.m. from neighbours, and settling the entries' order.

Pages list entries newest first (the live-blog habit) or oldest first; a CMS edit can leave a
stamp days away from its neighbours. These functions decide from the page as a whole, so
every parser orders its entries by one rule.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from liveblog.importers.base import ImportNotice
from liveblog.importers.stamps import describe_time

FAR_OUTSIDE = timedelta(days=2)


@dataclasses.dataclass(slots=True)
class Stamped:
    """An entry's time as read from the page, before the parser settles the order."""

    line: int
    when: datetime | None  # None while a.m./p.m. is undecided
    options: tuple[datetime, datetime] | None = None  # (a.m. reading, p.m. reading)
    raw: str = ""


def newest_first(whens: Sequence[datetime | None]) -> bool:
    """Say whether the page lists entries newest first (the live-blog habit; ties say yes)."""
    down = up = 0
    previous: datetime | None = None
    for when in whens:
        if when is None:
            continue
        if previous is not None:
            if when < previous:
                down += 1
            elif when > previous:
                up += 1
        previous = when
    return down >= up


def _outside(candidate: datetime, newer: datetime | None, older: datetime | None) -> float:
    """Seconds by which a time falls outside the bracket of its page neighbours."""
    if newer is not None and candidate > newer:
        return (candidate - newer).total_seconds()
    if older is not None and candidate < older:
        return (older - candidate).total_seconds()
    return 0.0


def _nearest_before(values: Sequence[datetime | None]) -> list[datetime | None]:
    """For each position, the nearest value before it that is not None (None: there is none)."""
    nearest: list[datetime | None] = []
    last: datetime | None = None
    for value in values:
        nearest.append(last)
        if value is not None:
            last = value
    return nearest


def _nearest_after(values: Sequence[datetime | None]) -> list[datetime | None]:
    """For each position, the nearest value after it that is not None (None: there is none)."""
    return _nearest_before(values[::-1])[::-1]


def resolve_meridiem(stamps: list[Stamped], *, source: str, newest: bool) -> list[ImportNotice]:
    """Decide a.m. or p.m. for times that lack it, from the entries either side on the page."""
    notices: list[ImportNotice] = []
    known = [stamp.when for stamp in stamps]
    above, below = _nearest_before(known), _nearest_after(known)
    for index, stamp in enumerate(stamps):
        if stamp.when is not None or stamp.options is None:
            continue
        newer, older = (above[index], below[index]) if newest else (below[index], above[index])
        am, pm = stamp.options
        gaps = (_outside(am, newer, older), _outside(pm, newer, older))
        if gaps[0] == gaps[1]:
            # Both fit (or neither, equally): prefer the reading nearer its neighbours.
            anchor = newer or older
            if anchor is not None:
                gaps = (abs((am - anchor).total_seconds()), abs((pm - anchor).total_seconds()))
        chosen = pm if gaps[1] < gaps[0] else am
        stamp.when = chosen
        between = " and ".join(
            describe_time(n.hour, n.minute) for n in (newer, older) if n is not None
        )
        why = f"it sits between {between}" if between else "no neighbouring entry to go by"
        notices.append(
            ImportNotice(
                source,
                stamp.line,
                f"time {stamp.raw!r} has no a.m./p.m.; read as "
                f"{describe_time(chosen.hour, chosen.minute)} because {why}",
            )
        )
    return notices


def settle_order(
    stamps: list[Stamped], *, source: str, newest: bool
) -> tuple[list[int], list[ImportNotice]]:
    """Return the entries' indexes in chronological order, moving only CMS artefacts.

    The entries that keep the page's order are the longest run already in order (found in
    O(n log n)). Any other entry within two days of its neighbours keeps the page's stated
    time, with a warning. One further off (a stamp like "23 Apr 2024" inside a September 2023
    blog, left by a CMS edit) takes the time of the entry just older than it on the page, so it
    stays where the page put it. Equal times keep the page's order (reversed when newest-first).
    Every stamp must have its time decided (see ``resolve_meridiem``) before this runs.
    """
    count = len(stamps)
    # Position of each entry in "oldest first" page order.
    order = list(range(count - 1, -1, -1)) if newest else list(range(count))
    whens: list[datetime] = []
    for index in order:
        when = stamps[index].when
        if when is None:
            raise ValueError(f"line {stamps[index].line}: time not decided before ordering")
        whens.append(when)
    keep = _longest_non_decreasing(whens)
    kept = [when if kept else None for when, kept in zip(whens, keep, strict=True)]
    older_kept, newer_kept = _nearest_before(kept), _nearest_after(kept)
    notices: list[ImportNotice] = []
    for position in range(count):
        if keep[position]:
            continue
        stamp = stamps[order[position]]
        when = whens[position]
        older, newer = older_kept[position], newer_kept[position]
        gap = timedelta(seconds=_outside(when, newer, older))
        moved = older or newer
        if gap > FAR_OUTSIDE and moved is not None:
            stamp.when = whens[position] = moved
            notices.append(
                ImportNotice(
                    source,
                    stamp.line,
                    f"time stamp {stamp.raw!r} is {gap.days} days away from the entries around "
                    "it (a CMS edit date?); kept the entry where the page puts it, at "
                    f"{moved:%d %b %Y %H:%M}, the time of the entry {_word(newest, older)} it",
                )
            )
            continue
        hint = ""
        if stamp.options is None:
            flipped = when + timedelta(hours=12 if when.hour < 12 else -12)
            if _outside(flipped, newer, older) == 0:
                hint = f" (did the page mean {describe_time(flipped.hour, flipped.minute)}?)"
        notices.append(
            ImportNotice(
                source,
                stamp.line,
                f"entry at {when:%d %b %Y %H:%M} breaks the page's "
                f"{'newest' if newest else 'oldest'}-first order; kept the page's stated "
                f"time{hint}",
            )
        )
    chronological = sorted(range(count), key=whens.__getitem__)  # stable: ties keep page order
    return [order[position] for position in chronological], notices


def _word(newest: bool, older: datetime | None) -> str:
    """Say where the entry whose time was borrowed sits on the page ("below" or "above")."""
    borrowed_from_older = older is not None
    return "below" if newest == borrowed_from_older else "above"


def _longest_non_decreasing(values: Sequence[datetime]) -> list[bool]:
    """Mark one longest non-decreasing subsequence (patience sorting, O(n log n))."""
    tails: list[datetime] = []
    tail_index: list[int] = []
    parent = [-1] * len(values)
    for index, value in enumerate(values):
        slot = bisect.bisect_right(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[slot] = value
            tail_index[slot] = index
        parent[index] = tail_index[slot - 1] if slot else -1
    keep = [False] * len(values)
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        keep[index] = True
        index = parent[index]
    return keep
