"""Format detection, and the promise every parser keeps: no source text is dropped silently."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from liveblog.importers import dated_blocks, day_headings
from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.registry import FORMATS, ParseOptions, detect_format
from liveblog.importers.registry import parse as parse_as

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = {
    "evn-report-artsakh-september-2023.txt": ("day_headings", "Asia/Yerevan"),
    "oc-media-stepanakert-2023-09-20.txt": ("dated_blocks", "Asia/Tbilisi"),
}


@pytest.mark.parametrize(("name", "expected"), [(n, f) for n, (f, _) in SEEDS.items()])
def test_detects_the_seeds(name: str, expected: str) -> None:
    assert detect_format((FIXTURES / name).read_text(encoding="utf-8"), source=name) == expected


def test_every_format_is_registered_once_by_its_name() -> None:
    assert list(FORMATS) == [
        "jsonl",
        "wordpress",
        "sourcefabric",
        "table",
        "html",
        dated_blocks.FORMAT,
        day_headings.FORMAT,
        "timeline",
    ]
    assert all(name == fmt.name for name, fmt in FORMATS.items())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "entry_published", "body": "x"}\n{"type": "entry_published"}\n', "jsonl"),
        ('\n\n  {"type": "blog_created"}\n', "jsonl"),
        ("September 30\n10:41 p.m.: A.\n8:36 p.m.: B.\n", "day_headings"),
        ("\ufeffSeptember 30\r\n10:41 p.m.: A.\r\n", "day_headings"),
        # Even with a line that has a date and no time.
        ("20 September 2023\nIntro.\n20 Sep 2023, 22:58\nText.\n", "dated_blocks"),
    ],
)
def test_detects_the_format(text: str, expected: str) -> None:
    assert detect_format(text, source="upload.txt") == expected


def test_clock_times_without_any_date_go_to_the_timeline_which_asks_for_the_date() -> None:
    text = "10:41 p.m.: A.\n8:36 p.m.: B.\n"
    assert detect_format(text, source="upload.txt") == "timeline"
    with pytest.raises(ImportParseError, match="--date 2022-11-19") as refused:
        parse_as("timeline", text, ParseOptions(source="upload.txt", time_zone="UTC"))
    assert str(refused.value).startswith("upload.txt:1: ")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("An essay about Stepanakert.\nNo times at all.\n", "no time stamps"),
        ('{"no": "type key"}\nplain text\n', "no time stamps"),
    ],
)
def test_unknown_formats_are_an_import_error(text: str, reason: str) -> None:
    with pytest.raises(ImportParseError, match=reason):
        detect_format(text, source="upload.txt")


# --- accounting -----------------------------------------------------------------------------

# Written for this test, not taken from the parsers: a clock time at the start of a line (any
# spelling the EVN page uses) and the list markers, which the parsers turn into "- item".
_STAMP = re.compile(r"^\d{1,2}(?:[:\u0589.]\d{2})?\s?(?:[ap\u0430]\.?\s?m\.?)?:?\s*")
_LABELLED_STAMP = re.compile(r"^(Breaking:)\s*\d{1,2}:\d{2}\s?p\.m\.:\s*")
_BULLET = re.compile(r"^(?:[-\u2013]\s+|\u2022\s*)")
_DAY_HEADING = re.compile(r"^(September) (\d{1,2})$")
_BLOCK_STAMP = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$")


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("name", list(SEEDS))
def test_every_non_blank_line_is_accounted_for(name: str) -> None:
    """Each line's text is in an entry, the title or introduction, or set aside with a reason.

    Structure lines count as used when the parser used them: a day heading when some entry is
    dated that day, a block's date line when an entry starts on it.
    """
    text = (FIXTURES / name).read_text(encoding="utf-8")
    blog: ParsedBlog = parse_as(
        detect_format(text, source=name), text, ParseOptions(source=name, time_zone=SEEDS[name][1])
    )
    placed = squash(
        "\n".join(
            [blog.title or "", blog.introduction]
            + [f"{entry.headline}\n{entry.body}" for entry in blog.entries]
        )
    )
    aside: dict[int, str] = defaultdict(str)
    for item in blog.set_aside:
        assert item.why in {"furniture", "could not place", "duplicate"}
        aside[item.line] += squash(item.text)
    entry_lines = {entry.line for entry in blog.entries}
    entry_days = {(entry.occurred_at.month, entry.occurred_at.day) for entry in blog.entries}

    missing = []
    for number, line in enumerate(text.split("\n"), start=1):
        core = line.strip()
        if not core:
            continue
        if squash(core) == aside.get(number):
            continue
        heading = _DAY_HEADING.match(core)
        if heading and (9, int(heading.group(2))) in entry_days:
            continue
        if _BLOCK_STAMP.match(core) and number in entry_lines:
            continue
        labelled = _LABELLED_STAMP.match(core)
        if labelled:
            core = labelled.group(1) + core[labelled.end() :]
        core = _BULLET.sub("", _STAMP.sub("", core, count=1), count=1)
        if squash(core) not in placed:
            missing.append((number, line[:60]))
    assert missing == []


@pytest.mark.parametrize("name", list(SEEDS))
def test_every_set_aside_and_every_warning_has_a_real_line(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    blog = parse_as(
        detect_format(text, source=name), text, ParseOptions(source=name, time_zone=SEEDS[name][1])
    )
    count = len(text.split("\n"))
    assert all(1 <= item.line <= count and item.source == name for item in blog.set_aside)
    assert all(1 <= notice.line <= count and notice.source == name for notice in blog.warnings)
