"""The one list of import formats, and how a file's format is told from its content.

A new format is one module with ``FORMAT``, ``parse`` and (unless it is a text layout) a
``sniff`` that recognises its files, plus one line in ``FORMATS`` below. Formats whose files
say what they are (exports, HTML) are recognised by their content first; copied text is
then matched to the layout whose stamps it shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from liveblog.importers import (
    dated_blocks,
    day_headings,
    html,
    sourcefabric,
    table,
    timeline,
    wordpress,
)
from liveblog.importers.base import ImportParseError, ParsedBlog, load_json
from liveblog.importers.decoding import split_lines
from liveblog.importers.options import ParseOptions

Parser = Callable[[str, ParseOptions], ParsedBlog]


@dataclasses.dataclass(frozen=True)
class Format:
    """One import format: its name, what it reads, and (for files that say so) a sniffer."""

    name: str
    reads: str  # for --help and the README
    parse: Parser | None  # None: the project's own export, replayed by the loader
    sniff: Callable[[str], bool] | None = None  # None: a copied-text layout


def _looks_like_jsonl(text: str) -> bool:
    first = next((line.strip() for line in split_lines(text) if line.strip()), "")
    if not first.startswith("{"):
        return False
    try:
        record = load_json(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "type" in record


#: Sniffed in this order: the most specific signatures first.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonl", "this project's own export (export_liveblog)", None, _looks_like_jsonl),
        Format(
            wordpress.FORMAT,
            "a WordPress export (WXR) of a Liveblog post",
            wordpress.parse,
            wordpress.sniff,
        ),
        Format(
            sourcefabric.FORMAT,
            "Live Blog 3 posts as its API returns them",
            sourcefabric.parse,
            sourcefabric.sniff,
        ),
        Format(
            table.FORMAT,
            "CSV or JSON rows of time, headline, body, author",
            table.parse,
            table.sniff,
        ),
        Format(
            html.FORMAT, "an HTML page saved from a browser or an archive", html.parse, html.sniff
        ),
        Format(
            dated_blocks.FORMAT,
            "blocks opened by a date-and-time line ('20 Sep 2023, 22:58')",
            dated_blocks.parse,
        ),
        Format(
            day_headings.FORMAT,
            "day headings, then entries opened by a clock time",
            day_headings.parse,
        ),
        Format(
            timeline.FORMAT, "copied live pages: stamps with zones, dates or 'ago'", timeline.parse
        ),
    )
}

#: Lines after which a file that already shows a format's stamps is taken to be that format.
DECIDE_WITHIN = 5_000


def detect_format(text: str, *, source: str) -> str:
    """Return the name of the format ``text`` is in, or raise if no known format fits."""
    lines = split_lines(text)
    if not any(line.strip() for line in lines):
        raise ImportParseError("the file is empty", source=source)
    for fmt in FORMATS.values():
        if fmt.sniff is not None and fmt.sniff(text):
            return fmt.name
    return text_layout(lines, source=source)


def text_layout(lines: list[str], *, source: str) -> str:
    """Choose the copied-text layout whose stamps the lines show.

    The two seed layouts are taken when a file shows their stamps and nothing else:
    "20 Sep 2023, 22:58" lines for dated_blocks, lines opening with a clock time and a colon
    under day headings ("September 30") for day_headings. Stamps only the timeline layout
    reads (a zone, a relative time, a stamp alone on its line, "Posted at", a time running
    into a headline) decide for it.
    """
    blocks = clocks = headings = run_in = 0
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
            run_in += _runs_in(stripped)
    rich, stamps = timeline.sniff(lines, seed=dated_blocks.starts_entry)
    seed = blocks + clocks
    if (rich >= 2 and rich * 5 >= stamps) or (run_in >= 2 and run_in * 2 >= clocks):
        return timeline.FORMAT
    if blocks and blocks >= clocks:
        return dated_blocks.FORMAT
    if clocks and headings:
        return day_headings.FORMAT
    if stamps or seed:
        return timeline.FORMAT
    raise ImportParseError(
        "no time stamps found, so this is not a live blog in a known format; entries must "
        "open with a time such as '09:22 GMT', '10:41 p.m.:', '20 Sep 2023, 22:58' or "
        "'4 min ago' (or pass --format to name the format)",
        source=source,
    )


def _runs_in(line: str) -> bool:
    """Say whether a clock time runs straight into the text ("10:30 a.m. Brussels says")."""
    clock = day_headings.read_leading_time(line)
    return clock is not None and not line[: clock.rest].rstrip().endswith((":", "-", "\u2013"))


def parse(name: str, text: str, options: ParseOptions) -> ParsedBlog:
    """Parse ``text`` as the format ``name``."""
    parser = FORMATS[name].parse
    if parser is None:
        raise ValueError(f"{name} is replayed by the loader, not parsed into a ParsedBlog")
    return parser(text, options)
