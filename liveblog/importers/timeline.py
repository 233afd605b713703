"""Format "timeline": the layouts most newsrooms' live pages copy to, one stamp per entry.

A copied live page is a run of entries, each opened by a time stamp, in any of these forms::

    Updated 12:03 a.m. ET, September 26, 2023      <- the page's own stamp: metadata
    By Tara Subramaniam, CNN                        <- the page's byline: metadata
    4 min ago                                       <- relative, dated from "Updated"
    Zelensky thanks allies                          <- headline
    From CNN's Jo Lee in Kyiv                       <- byline: the entry's author
    ...body...
    12:41 p.m. ET, September 24, 2023               <- time, zone, date
    March 23, 2022                                  <- a day heading (year optional)
    10:30 a.m. Brussels says ...                    <- headline on the stamp's line
    - 09:22 GMT                                     <- bulleted stamp
    14.05 BST                                       <- Guardian-style clock with zone

Entries may run newest first or oldest first. A stamp's own zone wins over --timezone; dates
come from the stamp, else the day heading above it, else --date, else the page's own
"Updated" stamp (with a warning). Relative stamps are dated from the page's "Updated" stamp or
--now. Page furniture is set aside with a warning; doubtful structure is warned about loudly
or refused with what to do.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo

from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.bodies import looks_like_headline, split_inline_notes
from liveblog.importers.chronology import Stamped
from liveblog.importers.decoding import split_lines
from liveblog.importers.furniture import (
    find_trailing_furniture,
    is_furniture,
    is_icon_glyphs,
    is_prompt,
    is_title_like,
    is_title_line,
    read_byline,
    read_zone_statement,
    split_glued_furniture,
    strip_icon_glyphs,
)
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import (
    Stamp,
    check_possible,
    check_year,
    combine,
    describe_zone,
    find_date,
    infer_year,
    read_date_line,
    read_stamp,
    resolve_relative,
    zone,
    zone_for,
)
from liveblog.importers.state import Draft, ParseState, finish

FORMAT = "timeline"

#: A line that looks like it starts with a time, loosely: used only to find stamps we missed.
_LOOSE_STAMP = re.compile(r"^\W{0,3}\d{1,2}[:h]\d{2}(?!\d)")
#: Entries with more paragraphs than this, alone on a page, are suspicious.
_SWALLOWED = 15
#: A newest-first page whose clock goes up by more than this has passed midnight.
_MIDNIGHT_JUMP = timedelta(hours=3)
_MERIDIEM = re.compile(r"\d\s?[ap]\.?\s?m\b", re.IGNORECASE)


@dataclasses.dataclass
class _Line:
    index: int  # 0-based
    text: str
    kind: str  # "stamp", "day", "text", "furniture"
    stamp: Stamp | None = None
    day: tuple[int | None, int, int] | None = None


@dataclasses.dataclass
class _Entry(Draft):
    clock: Stamp | None = None
    heading: tuple[int | None, int, int] | None = None  # the day heading above the entry
    day: date | None = None
    undated: bool = False  # dated from --date or the page's stamp, not from the page's days


@dataclasses.dataclass
class _Parse(ParseState):
    tz: tzinfo | None = None
    zones: dict[str, str] = dataclasses.field(default_factory=dict)
    anchor: datetime | None = None
    anchor_why: str = ""


def starts_entry(text: str) -> bool:
    """Say whether a line opens an entry in this layout (a time stamp that is not metadata)."""
    stamp = read_stamp(text)
    return stamp is not None and stamp.valid and not stamp.prefix.startswith(("updated", "last"))


def sniff(lines: list[str], *, seed: Callable[[str], bool]) -> tuple[int, int]:
    """Count (stamps only this layout reads, all stamps) in a file's first lines.

    ``seed`` says whether a line is a stamp of a seed layout ("20 Sep 2023, 22:58"); those
    count as stamps but never as this layout's own.
    """
    rich = total = 0
    for line in lines[:5_000]:
        stripped = line.strip()
        if not stripped or len(stripped) > 200:
            continue
        if not any(ch.isdigit() for ch in stripped[:40]) and "ago" not in stripped[:40]:
            continue
        stamp = read_stamp(stripped)
        if stamp is None or not stamp.valid:
            continue
        total += 1
        if seed(stripped):
            continue
        if stamp.zone_raw or stamp.relative or stamp.prefix or not stamp.rest or stamp.dated:
            rich += 1
    return rich, total


def parse(
    text: str,
    options: ParseOptions,
    *,
    page_dates: tuple[datetime | None, datetime | None] = (None, None),
) -> ParsedBlog:
    """Parse a copied live page into entries in chronological order (see module doc).

    ``page_dates`` are the page's publication and "Updated" times when its HTML metadata
    gives them (the copied text may not show them).
    """
    source, time_zone = options.source, options.time_zone
    tz = zone(time_zone, source=source)
    check_year(options.year, source=source)
    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone)
    state = _Parse(source=source, blog=blog, tz=tz, zones=dict(options.zone_names))
    lines = _classify(split_lines(text), state)
    first = next((line for line in lines if _opens(line, lines)), None)
    if first is None:
        raise ImportParseError(
            "no time stamps found that open entries (such as '09:22 GMT', '10:41 p.m.', "
            "'20 Sep 2023, 22:58' or '4 min ago'), so the entries cannot be told apart; "
            "is this a live blog? try --format day_headings or --format dated_blocks",
            source=source,
        )
    _page_zone(lines, first.index, state)
    _read_page_head(lines, first.index, state, options.now, page_dates)
    tail = find_trailing_furniture(
        [line.text for line in lines],
        max(line.index for line in lines if _opens(line, lines)),
        starts_entry,
    )
    end = len(lines) if tail is None else tail
    _collect(lines[:end], state)
    for line in lines[end:]:
        if line.text:
            state.set_aside(line.index + 1, line.text, "furniture")
    _headlines_above_stamps(state)
    _date_entries(state, lines, year=options.year, date=options.date)
    _check_structure(state, lines)
    return finish(state, empty="no entry has any text after its time stamp; nothing to import")


def _opens(line: _Line, lines: list[_Line]) -> bool:
    """Say whether a stamp line opens an entry: not the page's own stamp, and text follows."""
    stamp = line.stamp
    if line.kind != "stamp" or stamp is None:
        return False
    if stamp.is_update_note or stamp.prefix.startswith(("published", "first")):
        return False
    if stamp.rest:
        return True
    after = _next_filled(lines, line.index)
    return after is not None and after.kind == "text"


def _classify(raw_lines: list[str], state: _Parse) -> list[_Line]:
    lines: list[_Line] = []
    for index, raw in enumerate(raw_lines):
        text, had_glyphs = strip_icon_glyphs(raw.strip())
        if had_glyphs and not text:
            state.set_aside(index + 1, raw.strip(), "furniture")
            lines.append(_Line(index, "", "furniture"))
            continue
        if not text:
            lines.append(_Line(index, "", "blank"))
            continue
        if is_icon_glyphs(text) or is_prompt(text):
            state.set_aside(index + 1, text, "furniture")
            lines.append(_Line(index, text, "furniture"))
            continue
        day = read_date_line(text)
        if day is not None:
            lines.append(_Line(index, text, "day", day=day))
            continue
        stamp = read_stamp(text, zones=state.zones)
        if stamp is not None:
            check_possible(stamp, source=state.source, line=index + 1)
            lines.append(_Line(index, text, "stamp", stamp=stamp))
            continue
        lines.append(_Line(index, text, "text"))
    _pair_relative_with_absolute(lines, state)
    _attach_dates_below_stamps(lines)
    return lines


def _next_filled(lines: list[_Line], index: int) -> _Line | None:
    for line in lines[index + 1 :]:
        if line.kind not in ("blank", "furniture"):
            return line
    return None


def _pair_relative_with_absolute(lines: list[_Line], state: _Parse) -> None:
    """Keep one stamp where a page shows both "4h ago" and "14.05 BST" for an entry."""
    for line in lines:
        if line.kind != "stamp" or line.stamp is None or line.stamp.rest or line.stamp.prefix:
            continue
        after = _next_filled(lines, line.index)
        if after is None or after.kind != "stamp" or after.stamp is None or after.stamp.prefix:
            continue
        pair = (line, after)
        relative = [item for item in pair if item.stamp and item.stamp.relative]
        absolute = [item for item in pair if item.stamp and not item.stamp.relative]
        if len(relative) == 1 and len(absolute) == 1:
            drop = relative[0]
            state.set_aside(drop.index + 1, drop.text, "relative stamp next to its time")
            drop.kind = "furniture"


def _attach_dates_below_stamps(lines: list[_Line]) -> None:
    """A date on the line right under an undated stamp ("3:10 p.m. ET" / "Sept. 20, 2023")."""
    for line in lines:
        if line.kind != "stamp" or line.stamp is None or line.stamp.dated or line.stamp.rest:
            continue
        after = _next_filled(lines, line.index)
        if after is None or after.kind != "day" or after.day is None:
            continue
        year, month, day = after.day
        line.stamp = dataclasses.replace(line.stamp, year=year, month=month, day=day)
        after.kind = "furniture"  # it was read into the stamp, so nothing is lost


def _read_page_head(
    lines: list[_Line],
    first: int,
    state: _Parse,
    now: datetime | None,
    page_dates: tuple[datetime | None, datetime | None],
) -> None:
    """Read the title, the page's own stamps and byline before the first entry."""
    blog = state.blog
    seen: date | None = None
    for line in lines[:first]:
        if line.kind == "stamp" and line.stamp is not None:
            when = _page_stamp(line, state, now, seen)
            seen = when.date() if when is not None else seen
            if when is not None and line.stamp.prefix.startswith(("updated", "last")):
                blog.updated_at = when
            elif when is not None:
                blog.published_at = blog.published_at or when
            state.set_aside(line.index + 1, line.text, "page metadata")
            line.kind = "furniture"
        elif line.kind == "text":
            byline = read_byline(line.text)
            if byline is not None:
                state.set_aside(line.index + 1, line.text, "page byline")
                line.kind = "furniture"
            elif blog.title is None and (is_title_line(line.text) or is_title_like(line.text)):
                blog.title = line.text
                line.kind = "furniture"
            elif is_furniture(line.text):
                state.set_aside(line.index + 1, line.text, "furniture")
                line.kind = "furniture"
            else:
                state.intro.append(line.text)
                line.kind = "furniture"
        elif line.kind == "day" and line.day is not None and line.day[0] is not None:
            pass  # a dated heading before the first entry is the first day heading
    from_metadata = blog.updated_at is None and page_dates[1] is not None
    blog.published_at = blog.published_at or page_dates[0]
    blog.updated_at = blog.updated_at or page_dates[1]
    if from_metadata and blog.updated_at is not None:
        state.anchor, state.anchor_why = blog.updated_at, "the page's metadata (last modified)"
    elif blog.updated_at is not None:
        state.anchor, state.anchor_why = blog.updated_at, "the page's 'Updated' stamp"
    elif now is not None:
        state.anchor, state.anchor_why = now, "--now"
    elif blog.published_at is not None:
        state.anchor, state.anchor_why = blog.published_at, "the page's publication stamp"


def _page_stamp(
    line: _Line, state: _Parse, now: datetime | None, seen: date | None
) -> datetime | None:
    """The time of one of the page's own stamps; an undated one takes the date seen above."""
    stamp = line.stamp
    assert stamp is not None and state.tz is not None
    if stamp.relative:
        return resolve_relative(stamp.relative, now) if now is not None else None
    if stamp.year is None and stamp.rest:
        found = find_date(stamp.rest)  # "Published 0949 GMT (1749 HKT) September 17, 2023"
        if found is not None and found[0] is not None:
            stamp = dataclasses.replace(stamp, year=found[0], month=found[1], day=found[2])
    if stamp.year is not None and stamp.month is not None and stamp.day is not None:
        day = date(stamp.year, stamp.month, stamp.day) if _real(stamp) else None
    else:
        day = seen
    return combine(day, _hour24(stamp), state.tz) if day is not None else None


def _real(stamp: Stamp) -> bool:
    try:
        date(stamp.year or 1, stamp.month or 1, stamp.day or 1)
    except ValueError:
        return False
    return True


def _hour24(stamp: Stamp) -> Stamp:
    """A stamp without a.m./p.m. read as a 24-hour time (for the page's own stamps)."""
    return stamp if stamp.hour is not None else dataclasses.replace(stamp, hour=stamp.hour12)


def _page_zone(lines: list[_Line], first: int, state: _Parse) -> None:
    """Note a page's "All times stated are UK": it names the zone of stamps without one."""
    for line in lines[: first + 5]:
        if line.kind != "text":
            continue
        named = read_zone_statement(line.text)
        if named is None:
            continue
        found = zone_for(named, state.zones)
        if found is None:
            continue
        state.tz = found[0]
        state.blog.time_zone = getattr(found[0], "key", state.blog.time_zone)
        state.warn(
            line.index + 1,
            f"the page says its times are {named}: read stamps without a zone as "
            f"{describe_zone(found[0])}",
        )
        line.kind = "furniture"
        state.set_aside(line.index + 1, line.text, "page metadata")
        return


def _collect(lines: list[_Line], state: _Parse) -> None:
    """Group the lines from the first entry on into entries."""
    day_line: _Line | None = None
    current: _Entry | None = None
    for position, line in enumerate(lines):
        if line.kind in ("blank", "furniture"):
            continue
        if line.kind == "day":
            _close(state, current)
            current = None
            day_line = line
            continue
        if (
            line.kind == "stamp"
            and line.stamp is not None
            and line.stamp.is_update_note
            and current is not None
        ):
            state.set_aside(line.index + 1, line.text, "update note")
            state.warn(
                line.index + 1,
                f"the entry at line {current.stamp.line} says {line.text!r}; the page shows "
                "only its updated text, which is what was imported",
            )
            continue
        if line.kind == "stamp" and line.stamp is not None and line.stamp.prefix != "published":
            _close(state, current)
            current = _open(state, line, day_line)
            continue
        text = line.text
        if current is None:
            state.intro.append(text)
            continue
        if text.lower().rstrip(".:") == "updated":
            state.set_aside(line.index + 1, text, "update note")
            state.warn(
                line.index + 1,
                f"the entry at line {current.stamp.line} was updated on the page; "
                "only its updated text is in the copy",
            )
            continue
        byline = read_byline(text) if len(current.paragraphs) <= 2 else None
        if byline is not None and not current.author:
            current.author = byline
            continue
        following = _following_text(lines, position)
        if following and len(text) > 20 and following.startswith(text) and following != text:
            state.set_aside(line.index + 1, text, "caption repeated with its credit")
            continue
        for segment in split_glued_furniture(text, starts_entry=starts_entry):
            if segment.furniture:
                state.set_aside(line.index + 1, segment.text, "furniture")
                continue
            parts = split_inline_notes(segment.text)
            if len(parts) > 1:
                state.warn(
                    line.index + 1,
                    "an editor's note or update was run into the text: own paragraph",
                )
            current.paragraphs.extend(parts)
    _close(state, current)


def _following_text(lines: list[_Line], position: int) -> str:
    for line in lines[position + 1 :]:
        if line.kind == "blank":
            continue
        return line.text if line.kind == "text" else ""
    return ""


def _open(state: _Parse, line: _Line, day_line: _Line | None) -> _Entry:
    stamp = line.stamp
    assert stamp is not None
    if stamp.zone_note:
        state.warn(line.index + 1, stamp.zone_note)
    if stamp.notes:
        state.warn(line.index + 1, f"time {stamp.raw!r}: {'; '.join(stamp.notes)}")
    entry = _Entry(
        stamp=Stamped(line=line.index + 1, when=None, raw=stamp.raw),
        line_text=line.text,
        paragraphs=[],
        clock=stamp,
    )
    if day_line is not None:
        entry.heading = day_line.day
    rest = stamp.rest
    if rest:
        byline = read_byline(rest)
        if byline is not None:
            entry.author = byline
        else:
            entry.paragraphs.extend(split_inline_notes(rest))
    return entry


def _close(state: _Parse, entry: _Entry | None) -> None:
    """Finish the entry being collected: a headline if its first line reads as one."""
    if entry is None or not state.has_text(entry):
        return
    if len(entry.paragraphs) > 1 and looks_like_headline(entry.paragraphs[0]):
        entry.headline = entry.paragraphs.pop(0)
    state.drafts.append(entry)


def _headlines_above_stamps(state: _Parse) -> None:
    """Move headlines down where a page prints each one above its entry's stamp.

    Such a page reads "Headline / 22:15 - 10 Mar 2022 / body": every entry then seems to end
    with the next one's headline. Only when most entries look so (and the text before the
    first stamp ends with a headline) are the headlines moved, with a warning.
    """
    entries = [draft for draft in state.drafts if isinstance(draft, _Entry)]
    if len(entries) < 3 or not state.intro or not looks_like_headline(state.intro[-1]):
        return
    pairs = list(itertools.pairwise(entries))
    above = [
        a
        for a, b in pairs
        if len(a.paragraphs) >= 2
        and looks_like_headline(a.paragraphs[-1])
        and not b.headline
        and not looks_like_headline(b.paragraphs[0])
    ]
    if len(above) * 10 < len(pairs) * 8:
        return
    entries[0].headline = state.intro.pop()
    for a, b in pairs:
        if a in above:
            b.headline = a.paragraphs.pop()
    state.warn(
        entries[0].stamp.line,
        f"this page prints each headline above its time stamp; moved {len(above) + 1} "
        "headlines to the entries below them",
    )


# --- dating ---------------------------------------------------------------------------------


def _date_entries(
    state: _Parse, lines: list[_Line], *, year: int | None, date: date | None
) -> None:
    """Give every entry its time: stamp date, day heading, --date or the page's own stamp."""
    entries = [draft for draft in state.drafts if isinstance(draft, _Entry)]
    page_year = _page_year(state, entries, lines, year)
    uses_meridiem = any(
        entry.clock is not None and _MERIDIEM.search(entry.clock.raw) for entry in entries
    )
    fallback_day, fallback_why = _fallback_day(state, date)
    zoned: Counter[str] = Counter()
    for entry in entries:
        stamp = entry.clock
        assert stamp is not None and state.tz is not None
        if stamp.relative:
            entry.stamp.when = _relative_time(state, entry, stamp)
            continue
        day = _entry_day(state, entry, stamp, page_year)
        if day is None:
            if fallback_day is None:
                raise ImportParseError(
                    "the page never says on which day its entries were written (no date with "
                    "the stamps, no day headings, no 'Updated' stamp); pass the day with "
                    "--date, e.g. --date 2022-11-19",
                    source=state.source,
                    line=entry.stamp.line,
                )
            day, entry.undated = fallback_day, True
        entry.day = day
        if stamp.zone is not None:
            zoned[stamp.zone_raw] += 1
        if stamp.hour is None and uses_meridiem:
            am = combine(day, dataclasses.replace(stamp, hour=stamp.hour12 % 12), state.tz)
            entry.stamp.options = (am, am + timedelta(hours=12))
            entry.stamp.raw = stamp.raw
        else:
            entry.stamp.when = combine(day, _hour24(stamp), state.tz)
    if any(entry.undated for entry in entries):
        first = next(entry for entry in entries if entry.undated)
        state.warn(
            first.stamp.line,
            f"entries without a date of their own were dated {fallback_day} from "
            f"{fallback_why}; pass --date if that is wrong",
        )
        _roll_over_midnight(state, [entry for entry in entries if entry.undated])
    if zoned:
        names = ", ".join(sorted(zoned))
        state.warn(
            entries[0].stamp.line,
            f"{sum(zoned.values())} stamp(s) carry their own zone ({names}); each was read in "
            f"its own zone rather than {state.blog.time_zone}",
        )


def _page_year(
    state: _Parse, entries: list[_Entry], lines: list[_Line], year: int | None
) -> int | None:
    if year is not None:
        return year
    years = [entry.clock.year for entry in entries if entry.clock and entry.clock.year]
    years += [line.day[0] for line in lines if line.kind == "day" and line.day and line.day[0]]
    if years:
        return Counter(years).most_common(1)[0][0]
    for when in (state.blog.updated_at, state.blog.published_at):
        if when is not None:
            return when.year
    months = {entry.clock.month for entry in entries if entry.clock and entry.clock.month}
    months |= {line.day[1] for line in lines if line.kind == "day" and line.day}
    if not months:
        return None
    found = infer_year([line.text for line in lines], months)
    return found[0] if found else None


def _fallback_day(state: _Parse, given: date | None) -> tuple[date | None, str]:
    if given is not None:
        return given, "--date"
    for when, why in (
        (state.blog.updated_at, "the page's 'Updated' stamp"),
        (state.blog.published_at, "the page's publication stamp"),
    ):
        if when is not None:
            return when.astimezone(state.tz).date(), why
    return None, ""


def _entry_day(state: _Parse, entry: _Entry, stamp: Stamp, page_year: int | None) -> date | None:
    if stamp.dated:
        parts: tuple[int | None, int | None, int | None] = (stamp.year, stamp.month, stamp.day)
    elif entry.heading is not None:
        parts = entry.heading
    else:
        return None
    year_, month, day = parts
    year_ = year_ or page_year
    if year_ is None:
        raise ImportParseError(
            "the page never says which year it is (its dates have no year and no date in "
            "the text has one); run the import again with --year, e.g. --year 2023",
            source=state.source,
            line=entry.stamp.line,
        )
    try:
        check_year(year_, source=state.source)
        return date(year_, month or 1, day or 1)
    except (ValueError, ImportParseError):
        raise ImportParseError(
            f"the date of the entry ({day} {month} {year_}) is not a real date; correct it",
            source=state.source,
            line=entry.stamp.line,
        ) from None


def _relative_time(state: _Parse, entry: _Entry, stamp: Stamp) -> datetime:
    if state.anchor is None:
        raise ImportParseError(
            f"the stamp {stamp.raw!r} is relative and the page has no 'Updated' stamp to count "
            "from; pass the time the page was saved with --now, e.g. "
            "--now 2023-09-26T09:30+01:00",
            source=state.source,
            line=entry.stamp.line,
        )
    when = resolve_relative(stamp.relative, state.anchor)
    if when is None:
        raise ImportParseError(
            f"cannot read the relative stamp {stamp.raw!r}; replace it with a time",
            source=state.source,
            line=entry.stamp.line,
        )
    state.warn(
        entry.stamp.line,
        f"relative stamp {stamp.raw!r} read as {when:%d %b %Y %H:%M} counting from "
        f"{state.anchor_why} ({state.anchor:%d %b %Y %H:%M})",
    )
    return when


def _roll_over_midnight(state: _Parse, entries: list[_Entry]) -> None:
    """Undated clock times that run past midnight belong to the day before (or after)."""
    whens = [entry.stamp.when for entry in entries]
    known = [when for when in whens if when is not None]
    if len(known) < 2:
        return
    ups = sum(1 for a, b in itertools.pairwise(known) if b > a)
    downs = sum(1 for a, b in itertools.pairwise(known) if b < a)
    newest = downs >= ups
    shift = timedelta(0)
    previous: datetime | None = None
    for entry in entries:
        when = entry.stamp.when
        if when is None:
            continue
        when += shift
        if previous is not None:
            jump = when - previous if newest else previous - when
            if jump > _MIDNIGHT_JUMP:
                step = timedelta(days=-1 if newest else 1)
                shift += step
                when += step
                state.warn(
                    entry.stamp.line,
                    "the times pass midnight here; read this entry and the ones after it on "
                    f"the page as {when:%d %b %Y}",
                )
        entry.stamp.when = when
        previous = when


# --- doubts ---------------------------------------------------------------------------------


def _check_structure(state: _Parse, lines: list[_Line]) -> None:
    """Refuse or warn loudly where the structure found is doubtful."""
    entries = [draft for draft in state.drafts if isinstance(draft, _Entry)]
    missed = [
        line
        for line in lines
        if line.kind == "text" and _LOOSE_STAMP.match(line.text) and read_stamp(line.text) is None
    ]
    if len(entries) == 1 and len(entries[0].paragraphs) >= _SWALLOWED:
        where = ", ".join(str(line.index + 1) for line in missed[:5])
        if len(missed) >= 2:
            raise ImportParseError(
                f"the whole page became one entry of {len(entries[0].paragraphs)} paragraphs, "
                f"while lines {where} look like time stamps this importer cannot read; "
                "correct those stamps or try --format day_headings or --format dated_blocks",
                source=state.source,
                line=entries[0].stamp.line,
            )
        state.warn(
            entries[0].stamp.line,
            f"the whole page became one entry of {len(entries[0].paragraphs)} paragraphs; "
            "check that the page really has only one time stamp",
        )
    for line in missed[:20]:
        state.warn(
            line.index + 1,
            f"line looks like a time stamp but was read as text: {line.text[:40]!r}",
        )
    used = len(entries)
    if missed and len(missed) > used:
        state.warn(
            entries[0].stamp.line if entries else 1,
            f"most stamp-like lines were not used: {len(missed)} read as text against "
            f"{used} entries; check the warnings above",
        )
