"""Tell which text format an uploaded blog is in, so the archivist need not say."""

from __future__ import annotations

import json
from collections.abc import Callable

from liveblog.importers import dated_blocks, day_headings
from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.text import split_lines

Parser = Callable[..., ParsedBlog]

PARSERS: dict[str, Parser] = {
    day_headings.FORMAT: day_headings.parse,
    dated_blocks.FORMAT: dated_blocks.parse,
}


#: Lines after which a file that already shows a format's stamps is taken to be that format.
DECIDE_WITHIN = 5_000


def detect_format(text: str, *, source: str = "<input>") -> str:
    """Return "day_headings", "dated_blocks" or "jsonl", or raise if no known format fits.

    A file whose first non-blank line is a JSON object with a "type" key is "jsonl". Otherwise
    the format with more time-stamped lines wins: "20 Sep 2023, 22:58" lines for dated_blocks,
    lines opening with a clock time under day headings ("September 30") for day_headings.
    """
    lines = split_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if not first:
        raise ImportParseError("the file is empty", source=source)
    if first.startswith("{"):
        try:
            record = json.loads(first)
        except ValueError:
            record = None
        if isinstance(record, dict) and "type" in record:
            return "jsonl"
    blocks = clocks = headings = 0
    for number, line in enumerate(lines):
        if number >= DECIDE_WITHIN and (blocks or (clocks and headings)):
            break  # a long file has shown its format; no need to read it all twice
        stripped = line.strip()
        if not stripped or not any(ch.isdigit() for ch in stripped[:64]):
            continue
        if dated_blocks.starts_entry(stripped):
            blocks += 1
        elif day_headings.read_day_heading(stripped) is not None:
            headings += 1
        elif day_headings.starts_entry(stripped):
            clocks += 1
    if blocks and blocks >= clocks:
        return dated_blocks.FORMAT
    if clocks and headings:
        return day_headings.FORMAT
    if clocks:
        raise ImportParseError(
            f"found {clocks} line(s) starting with a clock time but no day heading such as "
            "'September 30', so the entries cannot be dated; add the day headings",
            source=source,
        )
    raise ImportParseError(
        "no time stamps found, so this is not a live blog in a known format "
        "(day_headings: 'September 30' then '10:41 p.m.: ...'; dated_blocks: "
        "'20 Sep 2023, 22:58' before each block; jsonl: one JSON object per line)",
        source=source,
    )
