"""Whatever text arrives, importers return a ParsedBlog or raise ImportParseError: nothing else.

Inputs are random text built from the pieces real pages are made of, and the seed pages cut
into windows and damaged (lines deleted, duplicated, swapped; characters inserted; cut short).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.decoding import decode_source
from liveblog.importers.registry import FORMATS, ParseOptions, detect_format
from liveblog.importers.registry import parse as parse_as
from tests.damage import damaged_window

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED_LINES = [
    (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    for name in ("evn-report-artsakh-september-2023.txt", "oc-media-stepanakert-2023-09-20.txt")
] + [path.read_text(encoding="utf-8").split("\n") for path in (FIXTURES / "samples").iterdir()]
FRAGMENTS = [
    '<time datetime="2023-09-20T10:00:00+02:00">',
    '{"@type": "LiveBlogPosting", "liveBlogUpdate": [{"datePublished": "x"}]}',
    "<wp:comment_type>liveblog</wp:comment_type>",
    '{"_items": [{"groups": [{"id": "main"}]}]}',
    "time,body\n",
    "<article>",
    "09:22 GMT",
    "3.27pm BST",
    "4 min ago",
    "Updated 12:03 a.m. ET, September 26, 2023",
    "- 03:00 GMT - ",
    "By Ana Petrosyan",
    "\ue80d",
    "September 30",
    "December 31",
    "January 1",
    "February 30",
    "20 Sep 2023, 22:58",
    "23 Apr 2024, 13:00",
    "31 Feb 2023, 10:00",
    "20 Sep, 10:17",
    "10:41 p.m.: ",
    "3:27: ",
    "12\u058905 a.m: ",
    "11:47 \u0430.m: ",
    "1030 am ",
    "25:99 p.m.: ",
    "Breaking: ",
    "Read more",
    "Become a member",
    "Lorem ipsum dolor",
    "Live updates | ",
    "\u2022 ",
    "- ",
    "[Editor\u2019s note: ",
    "Updated: ",
    "\u201c",
    "\u201d",
    "9999",
    "0000",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    ".",
    ":",
]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONES = st.sampled_from(["Asia/Yerevan", "Asia/Tbilisi", "UTC", "Not/AZone", ""])
YEARS = st.one_of(
    st.none(), st.just(2023), st.sampled_from([1, 999, 9000, 9999]), st.integers(-5, 10_000)
)

pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
lines = st.lists(pieces, max_size=4).map("".join)
# Lines shaped like a blog's (headings, stamped lines, prose), so parses also succeed.
STAMPS = [f for f in FRAGMENTS if f[:1].isdigit() or f.startswith("Breaking")]
HEADINGS = ["September 30", "September 29", "December 31", "January 1", "February 30"]
blog_lines = st.one_of(
    st.sampled_from(HEADINGS),
    st.tuples(st.sampled_from(STAMPS), st.text(max_size=20)).map("".join),
    st.text(max_size=30),
    st.sampled_from(FRAGMENTS),
)
random_text = st.one_of(
    st.text(),
    st.lists(pieces, max_size=60).map("".join),
    st.lists(lines, max_size=40).map("\n".join),
    st.lists(blog_lines, max_size=40).map("\n".join),
)
# The seed pages cut into windows: lines deleted, duplicated, swapped, spliced, cut short.
damaged_seed = damaged_window(SEED_LINES, longest=150, most_damages=8, pieces=pieces)


def check_all(text: str, time_zone: str, year: int | None) -> None:
    with contextlib.suppress(ImportParseError):
        detect_format(text, source="fuzz")
    for name, fmt in FORMATS.items():
        if fmt.parse is None:
            continue
        try:
            blog = parse_as(name, text, ParseOptions(source="fuzz", time_zone=time_zone, year=year))
        except ImportParseError as error:
            assert error.source == "fuzz"
            continue
        assert isinstance(blog, ParsedBlog)
        times = [entry.occurred_at for entry in blog.entries]
        assert times == sorted(times)
        assert all(when.tzinfo is not None for when in times)
        assert all(entry.body for entry in blog.entries)


@SETTINGS
@given(text=random_text, time_zone=ZONES, year=YEARS)
def test_random_text(text: str, time_zone: str, year: int | None) -> None:
    check_all(text, time_zone, year)


@SETTINGS
@given(text=damaged_seed, year=YEARS)
def test_damaged_seeds(text: str, year: int | None) -> None:
    check_all(text, "Asia/Yerevan", year)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=200), random_text.map(lambda t: t.encode("utf-16"))))
def test_decode_source(data: bytes) -> None:
    try:
        decoded = decode_source(data, source="fuzz")
    except ImportParseError:
        return
    assert "\r" not in decoded.text and decoded.text.strip()
