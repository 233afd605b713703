"""Format "dated_blocks": blocks that each open with a date-and-time line.

This is how OC Media ran its live updates (fixtures/oc-media-stepanakert-2023-09-20.txt)::

    Become a member                      <- page furniture
    Live updates | Stepanakert surrenders amidst Azerbaijani assault      <- the title
    Azerbaijani armed forces have continued their offensive ...           <- introduction
    20 Sep 2023, 22:52
    Aliyev says Armenian population of Nagorno-Karabakh can now 'breathe easy'   <- headline
    Azerbaijani President Ilham Aliyev has celebrated ...                 <- body

A block's first line is its headline when it is short, has no closing punctuation and more
text follows; otherwise the block has no headline and that line is its first paragraph.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.bodies import looks_like_headline, markdown_body, split_inline_notes
from liveblog.importers.chronology import Stamped
from liveblog.importers.decoding import split_lines
from liveblog.importers.furniture import (
    find_trailing_furniture,
    is_title_line,
    split_glued_furniture,
)
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import (
    DAY_AND_MONTH,
    check_possible,
    check_year,
    infer_year,
    plain,
    read_leading_time,
    written_date,
    zone,
)
from liveblog.importers.state import Draft, ParseState, finish

FORMAT = "dated_blocks"

_BLOCK_STAMP = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    + DAY_AND_MONTH
    + r"\s*(?:,|\bat\b|[-\u2013\u2014|/\u00b7])?\s*(?P<rest>\d.*)$",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class BlockStamp:
    """A block's date-and-time line as written; ``hour`` is None without a.m./p.m."""

    year: int | None
    month: int
    day: int
    hour: int | None
    hour12: int
    minute: int
    meridiem: bool
    raw: str
    notes: tuple[str, ...]
    valid: bool = True  # False for an impossible time such as "25:61"


def read_block_stamp(text: str) -> BlockStamp | None:
    """Read a line that is only a date and a time ("20 Sep 2023, 22:58")."""
    if not text or len(text) > 60 or not text[:1].isalnum():
        return None
    match = _BLOCK_STAMP.match(plain(text))
    if match is None or (written := written_date(match)) is None:
        return None
    year, month, day = written
    rest = match.group("rest")
    clock = read_leading_time(text[match.start("rest") :])
    if clock is None or clock.label or rest[clock.rest :].strip():
        return None
    return BlockStamp(
        year=year,
        month=month,
        day=day,
        hour=clock.hour,
        hour12=clock.hour12,
        minute=clock.minute,
        meridiem=clock.hour is not None and not clock.raw[-1:].isdigit(),
        raw=text,
        notes=clock.notes,
        valid=clock.valid,
    )


def starts_entry(text: str) -> bool:
    """Say whether a line opens a block."""
    return read_block_stamp(text) is not None


def parse(text: str, options: ParseOptions) -> ParsedBlog:
    """Parse a dated-blocks blog into entries in chronological order (see module doc)."""
    source, time_zone, year = options.source, options.time_zone, options.year
    tz = zone(time_zone, source=source)
    check_year(year, source=source)
    lines = split_lines(text)
    stamps: dict[int, BlockStamp] = {}
    for index, raw in enumerate(lines):
        stamp = read_block_stamp(raw.strip())
        if stamp is None:
            continue
        check_possible(stamp, source=source, line=index + 1)
        stamps[index] = stamp
    if not stamps:
        raise ImportParseError(
            "no block starts with a date and time such as '20 Sep 2023, 22:58'; "
            "is this the dated_blocks format?",
            source=source,
        )
    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone)
    state = ParseState(source=source, blog=blog)
    warn, set_aside = state.warn, state.set_aside

    missing_year = _year_for_undated(stamps, lines, year, source, warn)
    uses_meridiem = any(stamp.meridiem for stamp in stamps.values())
    first, last = min(stamps), max(stamps)
    tail = find_trailing_furniture(lines, last, starts_entry)
    end = len(lines) if tail is None else tail

    intro: list[str] = []
    blocks: list[Draft] = []
    current: Draft | None = None
    for index in range(end):
        stripped = lines[index].strip()
        if not stripped:
            continue
        line = index + 1
        if index in stamps:
            if current is not None:
                blocks.append(current)
            record = _stamped(stamps[index], line, missing_year, uses_meridiem, tz, source, warn)
            current = Draft(stamp=record, line_text=stripped, paragraphs=[])
            continue
        for segment in split_glued_furniture(stripped, starts_entry=starts_entry):
            if segment.furniture:
                set_aside(line, segment.text, "furniture")
            elif current is not None:
                parts = split_inline_notes(segment.text)
                if len(parts) > 1:
                    warn(line, "an editor's note or update was run into the text: own paragraph")
                current.paragraphs.extend(parts)
            elif index < first and blog.title is None and is_title_line(segment.text):
                blog.title = segment.text
            else:
                intro.append(segment.text)
    if current is not None:
        blocks.append(current)
    if tail is not None:
        for index in range(tail, len(lines)):
            stripped = lines[index].strip()
            if not stripped:
                continue
            if index in stamps:
                set_aside(index + 1, stripped, "could not place")
                warn(index + 1, "date stamp inside the page furniture after the blog; set aside")
                continue
            for segment in split_glued_furniture(stripped, starts_entry=starts_entry):
                set_aside(index + 1, segment.text, "furniture")

    blog.introduction = markdown_body(intro)
    for block in blocks:
        if not block.paragraphs:
            set_aside(block.stamp.line, block.line_text, "could not place")
            warn(block.stamp.line, "date stamp with no text after it; set aside")
            continue
        block.stamp.raw = block.stamp.raw or block.line_text
        if len(block.paragraphs) > 1 and looks_like_headline(block.paragraphs[0]):
            block.headline = block.paragraphs.pop(0)
        state.drafts.append(block)
    return finish(state, empty="no block has any text; nothing to import")


def _year_for_undated(
    stamps: dict[int, BlockStamp],
    lines: list[str],
    year: int | None,
    source: str,
    warn: Callable[[int, str], None],
) -> int | None:
    """Find the year for stamps written without one ("20 Sep, 22:58"), if there are any."""
    undated = [index for index, stamp in stamps.items() if stamp.year is None]
    if not undated or year is not None:
        return year
    dated = [stamp.year for stamp in stamps.values() if stamp.year is not None]
    line = undated[0] + 1
    if dated:
        chosen = max(set(dated), key=dated.count)
        why = f"the other date stamps say {chosen}"
    else:
        found = infer_year(lines, {stamp.month for stamp in stamps.values()})
        if found is None:
            raise ImportParseError(
                "date stamps have no year and the text never says which year it is; run the "
                "import again with --year, e.g. --year 2023",
                source=source,
                line=line,
            )
        chosen = found[0]
        why = f"dates in the text say {chosen} (first on line {found[2]})"
    warn(line, f"{len(undated)} date stamp(s) have no year; using {chosen} because {why}")
    return chosen


def _stamped(
    stamp: BlockStamp,
    line: int,
    missing_year: int | None,
    uses_meridiem: bool,
    tz: ZoneInfo,
    source: str,
    warn: Callable[[int, str], None],
) -> Stamped:
    year = stamp.year if stamp.year is not None else missing_year
    if year is None:  # _year_for_undated raised or supplied one; keeps the types honest
        raise ImportParseError("date stamp has no year; pass --year", source=source, line=line)
    try:
        check_year(year, source=source)
        base = datetime(year, stamp.month, stamp.day, 0, 0, tzinfo=tz)
    except (ValueError, ImportParseError):
        raise ImportParseError(
            f"date stamp {stamp.raw!r} is not a real date; correct it", source=source, line=line
        ) from None
    if stamp.notes:
        warn(line, f"date stamp {stamp.raw!r}: {'; '.join(stamp.notes)}")
    if stamp.hour is not None:
        return Stamped(line=line, when=base.replace(hour=stamp.hour, minute=stamp.minute))
    if not uses_meridiem:
        # The page writes 24-hour times ("22:58"), so "10:17" is simply 10:17.
        hour = stamp.hour12
        return Stamped(line=line, when=base.replace(hour=hour, minute=stamp.minute))
    am = base.replace(hour=stamp.hour12 % 12, minute=stamp.minute)
    return Stamped(
        line=line,
        when=None,
        options=(am, am.replace(hour=am.hour + 12)),
        raw=stamp.raw,
    )
