"""The dated_blocks importer, on OC Media's live updates and on small made-up pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liveblog.importers import dated_blocks
from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.options import ParseOptions
from tests.importers.seeds import lines_matching, parse_seed

SEED = "oc-media-stepanakert-2023-09-20.txt"
TBILISI = ZoneInfo("Asia/Tbilisi")
FURNITURE = (
    "Become a member",
    "Become an OC Media Member",
    "Support independent journalism",
    "Join today",
    "scheduled maintenance",
    "default text for notification bar",
)


def parse(text: str, **options: Any) -> ParsedBlog:
    return dated_blocks.parse(
        text, ParseOptions(source="t.txt", time_zone="Asia/Tbilisi", **options)
    )


def at(day: int, hour: int, minute: int = 0, month: int = 9, year: int = 2023) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TBILISI)


@pytest.fixture(scope="module")
def seed() -> ParsedBlog:
    return parse_seed(dated_blocks.parse, SEED, "Asia/Tbilisi")


# --- the seed -------------------------------------------------------------------------------


def test_seed_entry_count(seed: ParsedBlog) -> None:
    # Counted independently of the parser: lines of the form "20 Sep 2023, 22:58". There are
    # 21: 19 dated 20 Sep 2023 and two "23 Apr 2024, 13:00" (CMS edit dates, see below). Every
    # one of them has text under it, so each is an entry.
    assert lines_matching(SEED, r"^\s*\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\s*$") == 21
    assert len(seed.entries) == 21


def test_seed_first_and_last_entries(seed: ParsedBlog) -> None:
    first, last = seed.entries[0], seed.entries[-1]
    assert (first.occurred_at, first.line, first.headline) == (at(20, 9, 30), 224, "")
    assert first.body.startswith("Key events from yesterday:\n\n- Azerbaijani forces launched")
    assert (last.occurred_at, last.line, last.headline) == (at(20, 22, 58), 18, "")
    assert last.body.startswith("We are closing our live updates for today.")
    times = [entry.occurred_at for entry in seed.entries]
    assert times == sorted(times)


def test_seed_title_introduction_and_furniture(seed: ParsedBlog) -> None:
    assert seed.title == "Live updates | Stepanakert surrenders amidst Azerbaijani assault"
    assert seed.introduction.startswith(
        "20 September 2023\n\nStepanakert on 19 September 2023. Photo: Siranush Sargsyan."
    )
    assert seed.introduction.endswith("This does not imply a position on their status.")
    assert [(item.line, item.why) for item in seed.set_aside] == [
        (1, "furniture"),
        (3, "furniture"),
        (5, "furniture"),
        (234, "furniture"),
        (235, "furniture"),
    ]
    for entry in seed.entries:
        for marker in FURNITURE:
            assert marker not in entry.body and marker not in entry.headline


def test_seed_headlines(seed: ParsedBlog) -> None:
    by_line = {entry.line: entry for entry in seed.entries}
    assert by_line[22].headline == (
        "Aliyev says Armenian population of Nagorno-Karabakh can now \u2018breathe easy\u2019"
    )
    assert by_line[22].body.startswith("Azerbaijani President Ilham Aliyev has celebrated")
    assert by_line[48].headline == "Zakharova again blames Armenia"  # trailing NBSP dropped
    assert by_line[206].headline == "\u2018Several villages already occupied\u2019"
    assert by_line[182].headline.startswith("Nagorno-Karabakh President: government to take")
    # Closing punctuation: a first paragraph, not a headline.
    assert by_line[128].headline == ""
    assert by_line[128].body.startswith("From Az MoD media briefing now:\n\nThe Azerbaijani")
    assert "\n\n1. The armed forces of Nagorno-Karabakh agrees to disband.\n2. All" in (
        by_line[128].body
    )
    assert "\n\n- Social programmes will be implemented" in by_line[74].body


def test_seed_cms_dates_stay_where_the_page_puts_them(seed: ParsedBlog) -> None:
    # "23 Apr 2024, 13:00" twice, 215 days after the blog: each entry takes the time of the
    # entry below it on the page, so it keeps its place between its neighbours.
    order = [entry.line for entry in seed.entries]
    by_line = {entry.line: entry for entry in seed.entries}
    assert by_line[94].occurred_at == at(20, 15, 59)
    assert by_line[94].headline == "Reports of thousands gathering at Stepanakert airport"
    assert order.index(108) < order.index(94) < order.index(74)
    assert by_line[128].occurred_at == at(20, 12, 56)
    assert order.index(144) < order.index(128) < order.index(118)
    cms = [notice for notice in seed.warnings if "CMS" in notice.message]
    assert [notice.line for notice in cms] == [94, 128]


# --- small pages ----------------------------------------------------------------------------


BASIC = """\
Become a member
Live updates | Something happens
An introduction.

20 Sep 2023, 22:58

We are closing our live updates for today.

20 Sep 2023, 20:25

Zakharova again blames Armenia

While paying tribute, she blamed Armenia.

Second paragraph.
"""


def test_basic_page() -> None:
    blog = parse(BASIC)
    assert blog.format == "dated_blocks"
    assert blog.title == "Live updates | Something happens"
    assert blog.introduction == "An introduction."
    assert [(e.occurred_at, e.headline, e.body, e.line) for e in blog.entries] == [
        (
            at(20, 20, 25),
            "Zakharova again blames Armenia",
            "While paying tribute, she blamed Armenia.\n\nSecond paragraph.",
            9,
        ),
        (at(20, 22, 58), "", "We are closing our live updates for today.", 5),
    ]
    assert [(s.line, s.why) for s in blog.set_aside] == [(1, "furniture")]


@pytest.mark.parametrize(
    ("first_line", "headline"),
    [
        ("Fighting continues", "Fighting continues"),
        ("Fighting continues.", ""),  # closing punctuation
        ("Key events from yesterday:", ""),
        (
            "\u2018Several villages already occupied\u2019",
            "\u2018Several villages already occupied\u2019",
        ),
        ("\u2018We are ready,\u2019 he said.\u2019", ""),
        ("A " + "very " * 40 + "long line", ""),
        ("\u2022 A bullet", ""),
    ],
)
def test_headline_rules(first_line: str, headline: str) -> None:
    blog = parse(f"20 Sep 2023, 10:17\n{first_line}\nBody text.\n")
    assert blog.entries[0].headline == headline


def test_single_paragraph_has_no_headline() -> None:
    blog = parse("20 Sep 2023, 10:17\nFighting continues\n")
    assert (blog.entries[0].headline, blog.entries[0].body) == ("", "Fighting continues")


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("20 Sep 2023, 22:58", at(20, 22, 58)),
        ("20 September 2023, 09:30", at(20, 9, 30)),
        ("Sep 20, 2023, 10:17", at(20, 10, 17)),
        ("20 Sep 2023 10:17", at(20, 10, 17)),
        ("20 Sep 2023, 10:17 p.m.", at(20, 22, 17)),
        ("20 Sep 2023, 10\u058917", at(20, 10, 17)),
        ("Wednesday, 20 Sep 2023, 10:17", at(20, 10, 17)),
    ],
)
def test_stamp_spellings(stamp: str, expected: datetime) -> None:
    blog = parse(f"{stamp}\nText.\n")
    assert blog.entries[0].occurred_at == expected


def test_missing_meridiem_on_a_twelve_hour_page_follows_the_neighbours() -> None:
    text = "20 Sep 2023, 3:30 p.m.\nA.\n20 Sep 2023, 3:27\nB.\n20 Sep 2023, 3:22 p.m.\nC.\n"
    blog = parse(text)
    assert [e.occurred_at for e in blog.entries] == [at(20, 15, 22), at(20, 15, 27), at(20, 15, 30)]
    assert "read as 3:27 p.m." in blog.warnings[0].message


def test_out_of_order_block_keeps_its_time() -> None:
    text = (
        "20 Sep 2023, 12:00\nA.\n20 Sep 2023, 11:50\nB.\n20 Sep 2023, 11:55\nC.\n"
        "20 Sep 2023, 11:40\nD.\n"
    )
    blog = parse(text)
    assert [e.body for e in blog.entries] == ["D.", "B.", "C.", "A."]
    assert len(blog.warnings) == 1 and "kept the page's stated time" in blog.warnings[0].message


def test_oldest_first_page() -> None:
    text = "20 Sep 2023, 09:00\nA.\n20 Sep 2023, 10:00\nB.\n20 Sep 2023, 10:00\nC.\n"
    assert [e.body for e in parse(text).entries] == ["A.", "B.", "C."]


def test_year_missing_from_stamps() -> None:
    text = "20 Sep, 10:17\nA.\n"
    assert parse(text, year=2023).entries[0].occurred_at == at(20, 10, 17)
    inferred = parse("Published 20 September 2023\n" + text)
    assert inferred.entries[0].occurred_at == at(20, 10, 17)
    assert "using 2023" in inferred.warnings[0].message
    with pytest.raises(ImportParseError, match="--year"):
        parse(text)


def test_glued_furniture_and_empty_block() -> None:
    text = (
        "20 Sep 2023, 10:00\n"
        "\n"
        "20 Sep 2023, 09:30\n"
        "Headline here\n"
        "A paragraph.This is default text for notification bar\n"
        "\u2022 Last bullet\n"
        "The website is undergoing scheduled maintenance\n"
        "Trailing card title\n"
    )
    blog = parse(text)
    assert [(e.headline, e.body) for e in blog.entries] == [
        ("Headline here", "A paragraph.\n\n- Last bullet")
    ]
    assert [(s.line, s.why) for s in blog.set_aside] == [
        (1, "could not place"),
        (5, "furniture"),
        (7, "furniture"),
        (8, "furniture"),
    ]


def test_impossible_date_is_an_error() -> None:
    with pytest.raises(ImportParseError, match="not a real date") as error:
        parse("31 Feb 2023, 10:00\nA.\n")
    assert error.value.line == 1


def test_impossible_time_is_an_error() -> None:
    with pytest.raises(ImportParseError, match="impossible time") as error:
        parse("20 Sep 2023, 22:58\n\nFine.\n\n20 Sep 2023, 25:61\n\nNot a time.\n")
    assert error.value.line == 5


def test_no_blocks_is_an_error() -> None:
    with pytest.raises(ImportParseError, match="dated_blocks"):
        parse("Just an article.\n20 September 2023\n")


def test_large_blog() -> None:
    lines = []
    for number in range(20_000, 0, -1):
        minutes = number
        day, rest = divmod(minutes, 24 * 60)
        lines += [f"{1 + day:02d} Oct 2023, {rest // 60:02d}:{rest % 60:02d}", f"Entry {number}."]
    blog = parse("\n".join(lines))
    assert len(blog.entries) == 20_000 and blog.warnings == []
    assert blog.entries[0].body == "Entry 1." and blog.entries[-1].body == "Entry 20000."
