"""Format "day_headings": a day heading, then entries that each begin with a clock time.

This is how EVN Report ran its Artsakh coverage (fixtures/evn-report-artsakh-*.txt)::

    At approximately 1 p.m. on September 19, Azerbaijani Armed Forces launched ...
    September 30
    10:41 p.m.: Cindy McCain ... tweets: "90,000 people have fled ..."
    8:36 p.m.: Armenian Prime Minister Nikol Pashinyan stated that ...
    The Armenian government had earlier announced ...

Text before the first day heading is the introduction; a line without a time continues the
entry above it. The page never states the year, so it comes from ``year`` (the year of the
oldest day heading), or from dates written out in the text, or the import stops and asks.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.bodies import markdown_body, normalised_text, split_inline_notes
from liveblog.importers.chronology import Stamped
from liveblog.importers.decoding import split_lines
from liveblog.importers.furniture import (
    Segment,
    find_trailing_furniture,
    is_title_line,
    split_glued_furniture,
)
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import (
    DAY_AND_MONTH,
    LeadingTime,
    check_possible,
    check_year,
    describe_time,
    infer_year,
    plain,
    read_leading_time,
    written_date,
    zone,
)
from liveblog.importers.state import Draft, ParseState, finish

FORMAT = "day_headings"

_DAY_HEADING = re.compile(
    r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?" + DAY_AND_MONTH + r"\s*:?$",
    re.IGNORECASE,
)
_NO_DIGIT = re.compile(r"^\D*$")


@dataclasses.dataclass(frozen=True)
class DayHeading:
    """A day heading as written; the year is often left out."""

    month: int
    day: int
    year: int | None


def read_day_heading(text: str) -> DayHeading | None:
    """Read a day heading ("September 30", "Saturday, 30 September 2023")."""
    if not text or len(text) > 40 or _NO_DIGIT.match(text):
        return None
    match = _DAY_HEADING.match(plain(text))
    if match is None or (written := written_date(match)) is None:
        return None
    year, month, day = written
    return DayHeading(month=month, day=day, year=year)


def starts_entry(text: str) -> bool:
    """Say whether a line begins a new entry (a valid clock time at its start)."""
    stamp = read_leading_time(text)
    return stamp is not None and stamp.valid


@dataclasses.dataclass
class _Entry(Draft):
    clock: LeadingTime | None = None  # the time as written, to spot entries copied twice


@dataclasses.dataclass
class _Parse(ParseState):
    """The shared parse state, and where this layout is: the current day heading."""

    day: date | None = None
    seen_heading: bool = False
    undated: list[int] = dataclasses.field(default_factory=list)  # lines under a heading, no time


def parse(text: str, options: ParseOptions) -> ParsedBlog:
    """Parse a day-headings blog into entries in chronological order (see module doc)."""
    source, time_zone, year = options.source, options.time_zone, options.year
    tz = zone(time_zone, source=source)
    check_year(year, source=source)
    lines = split_lines(text)
    headings: list[tuple[int, DayHeading, str]] = []
    clocks: dict[int, LeadingTime] = {}  # read once here, reused below: 100,000s of lines
    last_stamp = -1
    for index, line in enumerate(lines):
        stripped = line.strip()
        heading = read_day_heading(stripped)
        if heading is not None:
            headings.append((index, heading, stripped))
            continue
        clock = read_leading_time(stripped)
        if clock is not None:
            check_possible(clock, source=source, line=index + 1)
            clocks[index] = clock
            last_stamp = index
    tail = find_trailing_furniture(lines, last_stamp, starts_entry) if last_stamp >= 0 else None
    end = len(lines) if tail is None else tail
    headings = [heading for heading in headings if heading[0] < end]  # none from the footer
    if not headings:
        raise ImportParseError(
            "no day headings such as 'September 30' found, so no entry can be dated; "
            "is this the day_headings format?",
            source=source,
        )
    if last_stamp < 0:
        raise ImportParseError(
            "no entries found: no line starts with a time such as '10:41 p.m.:'", source=source
        )

    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone)
    state = _Parse(source=source, blog=blog)
    dates = _date_headings(headings, lines, year, state)

    for index in range(end):
        stripped = lines[index].strip()
        if not stripped:
            continue
        for segment in split_glued_furniture(stripped, starts_entry=starts_entry):
            if segment.furniture:
                state.set_aside(index + 1, segment.text, "furniture")
            else:
                known = segment.text is stripped or segment.text == stripped
                clock = clocks.get(index) if known else read_leading_time(segment.text)
                _take_text(state, index + 1, segment.text, clock, dates, tz)
    _close_entry(state)
    if tail is not None:
        by_text = {
            normalised_text(entry.paragraphs[0]): entry
            for entry in reversed(state.drafts)
            if isinstance(entry, _Entry)
            if entry.paragraphs
        }
        for index in range(tail, len(lines)):
            stripped = lines[index].strip()
            if stripped:
                _take_tail(
                    state,
                    index + 1,
                    split_glued_furniture(stripped, starts_entry=starts_entry),
                    by_text,
                )

    blog.introduction = markdown_body(state.intro)
    return finish(
        state,
        empty="no entry could be placed under a day heading; nothing to import",
        then=lambda: _warn_undated_runs(state),
    )


def _date_headings(
    headings: list[tuple[int, DayHeading, str]],
    lines: list[str],
    year: int | None,
    state: _Parse,
) -> dict[int, date]:
    """Give every day heading its full date, walking from the oldest day to the newest."""
    # Which way the page runs, by majority of neighbouring headings; a December/January pair
    # says nothing (it may be a new year), and with no evidence the live-blog habit wins.
    keys = [(h.year or 0, h.month, h.day) for _, h, _ in headings]
    pairs = [(a, b) for a, b in itertools.pairwise(keys) if {a[1], b[1]} != {1, 12} or a[0]]
    falling = sum(1 for a, b in pairs if b < a)
    rising = sum(1 for a, b in pairs if b > a)
    oldest_first = headings if rising > falling else list(reversed(headings))
    base = year
    if base is None and any(h.year is None for _, h, _ in headings):
        found = infer_year(lines, {h.month for _, h, _ in headings})
        first_line = headings[0][0] + 1
        if found is None:
            raise ImportParseError(
                "the page never says which year it is (its day headings have no year and no "
                "date in the text has one); run the import again with --year, e.g. --year 2023",
                source=state.source,
                line=first_line,
            )
        base, mentions, where = found
        state.warn(
            first_line,
            f"the day headings have no year; using {base}, written with the blog's months "
            f"{mentions} time(s) in the text (first on line {where}); pass --year to override",
        )
    dates: dict[int, date] = {}
    current = base or 0
    previous: DayHeading | None = None
    for index, heading, text in oldest_first:
        if heading.year is not None:
            current = heading.year
        elif (
            previous is not None
            and (heading.month, heading.day) < (previous.month, previous.day)
            and previous.month >= 11
            and heading.month <= 2
        ):
            current += 1
            state.warn(index + 1, f"day heading {text!r} follows December: read as {current}")
        try:
            check_year(current, source=state.source)
            dates[index] = date(current, heading.month, heading.day)
        except (ValueError, ImportParseError):
            raise ImportParseError(
                f"day heading {text!r} is not a real date in {current}; correct the heading",
                source=state.source,
                line=index + 1,
            ) from None
        previous = heading
    return dates


def _take_text(
    state: _Parse,
    line: int,
    text: str,
    stamp: LeadingTime | None,
    dates: dict[int, date],
    tz: ZoneInfo,
) -> None:
    """Route one piece of real text: heading, new entry, continuation, intro or orphan."""
    if line - 1 in dates and read_day_heading(text) is not None:
        _close_entry(state)
        state.day = dates[line - 1]
        state.seen_heading = True
        return
    if stamp is not None:
        check_possible(stamp, source=state.source, line=line)
        _close_entry(state)
        _open_entry(state, line, text, stamp, tz)
        return
    if state.current is not None:
        parts = split_inline_notes(text)
        if len(parts) > 1:
            state.warn(line, "an editor's note or update was run into the text: own paragraph")
        state.current.paragraphs.extend(parts)
    elif not state.seen_heading:
        if state.blog.title is None and is_title_line(text):
            state.blog.title = text
        else:
            state.intro.append(text)
    else:
        state.set_aside(line, text, "could not place")
        state.undated.append(line)


def _open_entry(state: _Parse, line: int, text: str, stamp: LeadingTime, tz: ZoneInfo) -> None:
    if state.day is None:
        state.set_aside(line, text, "could not place")
        state.warn(line, "entry before the first day heading has no date; set aside")
        return
    day = state.day
    if stamp.hour is None:
        am = datetime(day.year, day.month, day.day, stamp.hour12 % 12, stamp.minute, tzinfo=tz)
        pm = am.replace(hour=am.hour + 12)
        record = Stamped(line=line, when=None, options=(am, pm), raw=stamp.raw)
    else:
        when = datetime(day.year, day.month, day.day, stamp.hour, stamp.minute, tzinfo=tz)
        record = Stamped(line=line, when=when, raw=stamp.raw)
    if stamp.notes and stamp.hour is not None:
        state.warn(
            line,
            f"read {stamp.raw!r} as {describe_time(stamp.hour, stamp.minute)} "
            f"({'; '.join(stamp.notes)})",
        )
    elif stamp.notes:
        state.warn(line, f"time {stamp.raw!r}: {'; '.join(stamp.notes)}")
    first = text[stamp.rest :].strip()
    if stamp.label:
        state.warn(line, f"label {stamp.label!r} before the time kept at the start of the entry")
        first = f"{stamp.label} {first}".strip()
    paragraphs = split_inline_notes(first) if first else []
    if len(paragraphs) > 1:
        state.warn(line, "an editor's note or update was run into the text: own paragraph")
    state.current = _Entry(stamp=record, line_text=text, paragraphs=paragraphs, clock=stamp)


def _close_entry(state: _Parse) -> None:
    entry = state.current
    state.current = None
    if entry is not None and state.has_text(entry):
        state.drafts.append(entry)


def _take_tail(
    state: _Parse, line: int, segments: list[Segment], by_text: dict[str, _Entry]
) -> None:
    """Set aside what follows the blog; an entry copied into it is checked against the blog."""
    for segment in segments:
        stamp = None if segment.furniture else read_leading_time(segment.text)
        if stamp is None or not stamp.valid:
            state.set_aside(line, segment.text, "furniture")
            continue
        body = segment.text[stamp.rest :].strip()
        if stamp.label:
            body = f"{stamp.label} {body}"
        twin = by_text.get(normalised_text(body))
        same_time = (
            twin is not None
            and twin.clock is not None
            and (
                twin.clock.hour12 % 12,
                twin.clock.minute,
            )
            == (
                stamp.hour12 % 12,
                stamp.minute,
            )
        )
        if twin is not None and same_time:
            state.set_aside(line, segment.text, "duplicate")
            state.warn(
                line,
                f"entry {stamp.raw!r} inside the page furniture after the blog repeats the "
                f"entry on line {twin.stamp.line} word for word; set aside as a duplicate",
            )
        else:
            state.set_aside(line, segment.text, "could not place")
            state.warn(
                line,
                f"entry {stamp.raw!r} inside the page furniture after the blog has no day "
                "heading of its own; set aside",
            )


def _warn_undated_runs(state: _Parse) -> None:
    """One warning per run of undated text under a heading (e.g. a statement with no time)."""
    runs: list[list[int]] = []
    for line in state.undated:
        if runs and line - runs[-1][-1] <= 2:
            runs[-1].append(line)
        else:
            runs.append([line])
    for run in runs:
        where = f"line {run[0]}" if len(run) == 1 else f"lines {run[0]}-{run[-1]}"
        state.warn(
            run[0],
            f"text on {where} sits under a day heading before any time stamp, so it has no "
            "time; set aside as 'could not place' for an editor to date",
        )
