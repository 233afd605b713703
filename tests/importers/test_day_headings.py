"""The day_headings importer, on EVN Report's Artsakh blog and on small made-up pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liveblog.importers import day_headings
from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.options import ParseOptions
from tests.importers.seeds import lines_matching, parse_seed

SEED = "evn-report-artsakh-september-2023.txt"
YEREVAN = ZoneInfo("Asia/Yerevan")
FURNITURE = ("Read more", "Lorem ipsum", "EVN Security Report", "EVN News Watch", "this text.")


def parse(text: str, **options: Any) -> ParsedBlog:
    return day_headings.parse(
        text, ParseOptions(source="t.txt", time_zone="Asia/Yerevan", **options)
    )


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2023) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=YEREVAN)


def messages(blog: ParsedBlog) -> list[str]:
    return [f"{notice.line}: {notice.message}" for notice in blog.warnings]


@pytest.fixture(scope="module")
def seed() -> ParsedBlog:
    return parse_seed(day_headings.parse, SEED, "Asia/Yerevan")


# --- the seed -------------------------------------------------------------------------------


def test_seed_entry_count(seed: ParsedBlog) -> None:
    # Counted independently of the parser: lines that begin with a clock time, written any of
    # the ways the page writes them ("10:41 p.m.:", "4 p.m.:", "7:20p.m.:", "11:47 \u0430.m:"
    # with a Cyrillic a, "12\u058908 p.m:", "8.10 a.m.:", "Breaking: 1:20 p.m.:", "3:27:").
    # That gives 414. The one further time stamp, glued after "Read more" in the footer on the
    # last line, copies the 9:27 a.m. entry of September 20 and is set aside, not counted.
    stamp = r"^(?:Breaking: )?\d{1,2}(?:[:\u0589.]\d{2})?\s?[ap\u0430]\.?\s?m|^\d{1,2}:\d{2}:\s"
    assert lines_matching(SEED, stamp) == 414
    assert len(seed.entries) == 414
    assert [item.why for item in seed.set_aside].count("duplicate") == 1


def test_seed_first_and_last_entries(seed: ParsedBlog) -> None:
    first, last = seed.entries[0], seed.entries[-1]
    assert first.occurred_at == at(9, 1, 10, 24)
    assert first.body.startswith("In her message on Knowledge and Education Day")
    assert first.line == 1053
    assert last.occurred_at == at(9, 30, 22, 41)
    assert last.body.startswith("Cindy McCain. Executive Director of the UN World Food")
    assert all(entry.headline == "" for entry in seed.entries)


def test_seed_entries_are_chronological_and_aware(seed: ParsedBlog) -> None:
    times = [entry.occurred_at for entry in seed.entries]
    assert times == sorted(times)
    assert all(when.tzinfo is not None and when.utcoffset() == timedelta(hours=4) for when in times)


def test_seed_introduction_and_year(seed: ParsedBlog) -> None:
    assert seed.title is None
    assert seed.introduction.startswith("At approximately 1 p.m. on September 19, Azerbaijani")
    assert seed.introduction.endswith("Follow the live updates below.")
    assert any("using 2023" in message for message in messages(seed))


def test_seed_has_no_furniture_inside_entries(seed: ParsedBlog) -> None:
    for entry in seed.entries:
        for marker in FURNITURE:
            assert marker not in entry.body, (entry.line, marker)
    footer = {item.line for item in seed.set_aside if item.why == "furniture"}
    assert footer == set(range(1055, 1092))


def test_seed_anomalies_are_decided_and_reported(seed: ParsedBlog) -> None:
    by_line = {entry.line: entry for entry in seed.entries}
    notes = messages(seed)
    # "3:27:" has no a.m./p.m.; it sits between 3:30 p.m. and 3:22 p.m. on September 19.
    assert by_line[662].occurred_at == at(9, 19, 15, 27)
    assert any(note.startswith("662: time '3:27:' has no a.m./p.m.") for note in notes)
    # "12\u058905 a.m:" sits between 12:08 p.m. and 11:57 a.m.: kept as stated, flagged.
    assert by_line[163].occurred_at == at(9, 26, 0, 5)
    assert any(
        note.startswith("163:") and "did the page mean 12:05 p.m.?" in note for note in notes
    )
    # Look-alike characters in the time.
    assert by_line[165].occurred_at == at(9, 26, 11, 47)
    assert any(note.startswith("165:") and "CYRILLIC SMALL LETTER A" in note for note in notes)
    assert by_line[710].occurred_at == at(9, 19, 13, 10)
    assert by_line[496].occurred_at == at(9, 20, 8, 10)
    # "Breaking:" before the time stays in the text.
    assert by_line[709].body.startswith("Breaking: Marut Vanyan")
    # The September 2 statement has no time: set aside for an editor, not invented.
    undated = [item.line for item in seed.set_aside if item.why == "could not place"]
    assert undated == list(range(1003, 1012))
    assert any(note.startswith("1003: text on lines 1003-1011") for note in notes)
    # The footer's copy of the 9:27 a.m. entry.
    assert any(note.startswith("1091:") and "line 493" in note for note in notes)


def test_seed_updates_and_lists_stay_inside_their_entry(seed: ParsedBlog) -> None:
    by_line = {entry.line: entry for entry in seed.entries}
    aid = by_line[315].body.split("\n\n")
    assert aid[1] == "Updated:"
    assert aid[3].startswith("- 66 metric tons of wheat flour\n- 2,700 kg of salt")
    icj = by_line[14].body
    assert "\n- to refrain from taking any actions" in icj
    assert "\n- to withdraw all military" in icj
    note = by_line[402].body
    assert note.endswith(
        "[Editor\u2019s note: No official/verified comments about the Yevlakh "
        "meeting have so far been made by the Artsakh delegation]."
    )


# --- small pages ----------------------------------------------------------------------------


BASIC = """\
Azerbaijan launched an attack on September 19. Follow the live updates below.
September 20
10:15 a.m.: The ministry held a briefing.
It said operations continue.
9:27 a.m.: A reporter tweets: \u201cMy morning walk.\u201d
September 19
11:51 p.m.: The ombudsman tweets.
"""


def test_basic_page() -> None:
    blog = parse(BASIC, year=2023)
    assert blog.format == "day_headings"
    assert blog.introduction == (
        "Azerbaijan launched an attack on September 19. Follow the live updates below."
    )
    assert [(e.occurred_at, e.body, e.line) for e in blog.entries] == [
        (at(9, 19, 23, 51), "The ombudsman tweets.", 7),
        (at(9, 20, 9, 27), "A reporter tweets: \u201cMy morning walk.\u201d", 5),
        (
            at(9, 20, 10, 15),
            "The ministry held a briefing.\n\nIt said operations continue.",
            3,
        ),
    ]
    assert blog.warnings == [] and blog.set_aside == []


@pytest.mark.parametrize(
    ("stamp", "hour", "minute"),
    [
        ("10 p.m.:", 22, 0),
        ("1030 a.m.:", 10, 30),
        ("10:30 am", 10, 30),
        ("10:30 a.m", 10, 30),
        ("9:15p.m.", 21, 15),
        ("9:15 \u0440.m.:", 21, 15),  # Cyrillic er for p
        ("9;15 p.m.:", 21, 15),
        ("9.15 p.m.:", 21, 15),
        ("12 a.m.:", 0, 0),
    ],
)
def test_time_spellings(stamp: str, hour: int, minute: int) -> None:
    blog = parse(f"September 20\n{stamp} Something happened.\n", year=2023)
    assert [(e.occurred_at, e.body) for e in blog.entries] == [
        (at(9, 20, hour, minute), "Something happened.")
    ]


def test_time_without_meridiem_follows_its_neighbours_and_warns() -> None:
    blog = parse("September 19\n3:30 p.m.: A.\n3:27: B.\n3:22 p.m.: C.\n", year=2023)
    assert [e.occurred_at.hour for e in blog.entries] == [15, 15, 15]
    assert messages(blog) == [
        "3: time '3:27:' has no a.m./p.m.; read as 3:27 p.m. because it sits between "
        "3:30 p.m. and 3:22 p.m."
    ]


def test_out_of_order_entry_keeps_its_stated_time() -> None:
    blog = parse(
        "September 19\n2 p.m.: A.\n1:22 p.m.: B.\n1:38 p.m.: C.\n1:30 p.m.: D.\n", year=2023
    )
    assert [e.body for e in blog.entries] == ["B.", "D.", "C.", "A."]
    assert blog.entries[0].occurred_at == at(9, 19, 13, 22)
    assert len(blog.warnings) == 1 and blog.warnings[0].line == 3
    assert "kept the page's stated time" in blog.warnings[0].message


def test_day_heading_far_outside_the_blog_does_not_move_its_entries_away() -> None:
    # "September 3" between the 20th and the 19th: a CMS slip, 16 days off.
    text = (
        "September 20\n9 a.m.: A.\n8:30 a.m.: B.\nSeptember 3\n8 a.m.: C.\n"
        "September 19\n11 p.m.: D.\n10 p.m.: E.\n"
    )
    blog = parse(text, year=2023)
    assert [(e.body, e.occurred_at) for e in blog.entries] == [
        ("E.", at(9, 19, 22)),
        ("D.", at(9, 19, 23)),
        ("C.", at(9, 19, 23)),
        ("B.", at(9, 20, 8, 30)),
        ("A.", at(9, 20, 9)),
    ]
    assert "CMS" in blog.warnings[0].message and blog.warnings[0].line == 5


def test_equal_times_keep_the_page_order() -> None:
    blog = parse("September 29\n4:53 p.m.: Newer.\n4:53 p.m.: Older.\n", year=2023)
    assert [e.body for e in blog.entries] == ["Older.", "Newer."]


def test_year_comes_from_the_text_when_not_given() -> None:
    text = "September 21\n7 p.m.: A tweet.\n\u2014 Ombudsperson (@Ombuds) September 21, 2023\n"
    blog = parse(text)
    assert blog.entries[0].occurred_at == at(9, 21, 19)
    assert "using 2023" in blog.warnings[0].message and "--year" in blog.warnings[0].message


def test_year_argument_wins_over_the_text() -> None:
    text = "September 21\n7 p.m.: A tweet (@Ombuds) September 21, 2023\n"
    assert parse(text, year=2022).entries[0].occurred_at == at(9, 21, 19, year=2022)


def test_no_year_anywhere_asks_for_one() -> None:
    with pytest.raises(ImportParseError, match="--year") as error:
        parse("September 21\n7 p.m.: A tweet.\n")
    assert error.value.line == 1


def test_year_written_in_the_heading() -> None:
    blog = parse("Saturday, 30 September 2023\n10:41 p.m.: A.\n")
    assert blog.entries[0].occurred_at == at(9, 30, 22, 41)


def test_year_rolls_over_from_december_to_january() -> None:
    text = "January 1\n12:30 a.m.: Happy new year.\nDecember 31\n11 p.m.: Last of the year.\n"
    blog = parse(text, year=2023)
    assert [e.occurred_at for e in blog.entries] == [at(12, 31, 23), at(1, 1, 0, 30, year=2024)]
    assert "read as 2024" in blog.warnings[0].message


def test_furniture_before_and_after_the_blog_is_set_aside() -> None:
    text = (
        "Become a member\n"
        "Support independent journalism: Join today\n"
        "The intro.\n"
        "September 20\n"
        "9 a.m.: The only entry.\n"
        "Another paragraph, which runs on long enough not to look like a card heading at all.\n"
        "News Watch\n"
        "Ep. 1: Review\n"
        "A teaser.\n"
        "Read moreBorder Watch\n"
        "Another teaser.\n"
        "Read more9 a.m.: The only entry.this text. Lorem ipsum dolor sit amet.\n"
        "The website is undergoing scheduled maintenance\n"
    )
    blog = parse(text, year=2023)
    assert blog.introduction == "The intro."
    assert [e.body for e in blog.entries] == [
        "The only entry.\n\nAnother paragraph, which runs on long enough not to look like a card "
        "heading at all."
    ]
    aside = [(item.line, item.why, item.text) for item in blog.set_aside]
    assert aside[:2] == [
        (1, "furniture", "Become a member"),
        (2, "furniture", "Support independent journalism: Join today"),
    ]
    assert (12, "duplicate", "9 a.m.: The only entry.") in aside
    assert (12, "furniture", "this text. Lorem ipsum dolor sit amet.") in aside
    assert {line for line, why, _ in aside if why == "furniture"} == {1, 2, *range(7, 14)}


def test_furniture_in_the_middle_is_split_off() -> None:
    text = "September 20\n9 a.m.: The talks ended.Become a member\nA second paragraph.\n"
    blog = parse(text, year=2023)
    assert blog.entries[0].body == "The talks ended.\n\nA second paragraph."
    assert blog.set_aside[0].text == "Become a member"


def test_editors_notes_bullets_and_quotes_stay_in_the_entry() -> None:
    text = (
        "September 23\n"
        "6:40 p.m.: The ICRC sent aid.\n"
        "Updated:\n"
        "The aid included:\n"
        "\u2013 66 metric tons of wheat flour\n"
        "\u2013 2,700 kg of salt\n"
        "[Editor\u2019s note: Figures from the ICRC.]\n"
        "5 p.m.: The minister said:\n"
        "\u201cFirst paragraph of the quote.\n"
        "\u201cSecond paragraph of the quote.\u201d\n"
        "4 p.m.: Talks were held. [Editor\u2019s note: No comment yet.]\n"
    )
    blog = parse(text, year=2023)
    bodies = [e.body for e in blog.entries]
    assert bodies[2] == (
        "The ICRC sent aid.\n\nUpdated:\n\nThe aid included:\n\n- 66 metric tons of wheat flour\n"
        "- 2,700 kg of salt\n\n[Editor\u2019s note: Figures from the ICRC.]"
    )
    assert bodies[1] == (
        "The minister said:\n\n\u201cFirst paragraph of the quote.\n\n"
        "\u201cSecond paragraph of the quote.\u201d"
    )
    assert bodies[0] == "Talks were held.\n\n[Editor\u2019s note: No comment yet.]"
    assert any("own paragraph" in message for message in messages(blog))


def test_text_under_a_heading_before_any_time_is_set_aside() -> None:
    text = "September 2\nStatement of the MFA\nIts text.\n12:19 p.m.: An entry.\n"
    blog = parse(text, year=2023)
    assert [e.body for e in blog.entries] == ["An entry."]
    assert [(s.line, s.why) for s in blog.set_aside] == [
        (2, "could not place"),
        (3, "could not place"),
    ]
    assert blog.warnings[0].line == 2 and "lines 2-3" in blog.warnings[0].message


def test_time_stamp_with_no_text_is_set_aside() -> None:
    blog = parse("September 2\n12:19 p.m.:\n11 a.m.: An entry.\n", year=2023)
    assert [e.body for e in blog.entries] == ["An entry."]
    assert [(s.line, s.text, s.why) for s in blog.set_aside] == [
        (2, "12:19 p.m.:", "could not place")
    ]


def test_stamp_on_its_own_line_takes_the_next_lines_as_its_text() -> None:
    blog = parse("September 2\n12:19 p.m.\nThe text.\n", year=2023)
    assert [(e.occurred_at, e.body) for e in blog.entries] == [(at(9, 2, 12, 19), "The text.")]


def test_entry_before_any_day_heading_is_set_aside() -> None:
    blog = parse("9 a.m.: Undated.\nSeptember 2\n11 a.m.: Dated.\n", year=2023)
    assert [e.body for e in blog.entries] == ["Dated."]
    assert blog.set_aside[0].why == "could not place"
    assert "no date" in blog.warnings[0].message


def test_impossible_time_is_an_error_with_its_line() -> None:
    with pytest.raises(ImportParseError, match="impossible time") as error:
        parse("September 2\n9 a.m.: A.\n25:61 p.m.: B.\n", year=2023)
    assert error.value.line == 3


def test_impossible_day_heading_is_an_error_with_its_line() -> None:
    with pytest.raises(ImportParseError, match="not a real date") as error:
        parse("February 30\n9 a.m.: A.\n", year=2023)
    assert error.value.line == 1 and error.value.source == "t.txt"


@pytest.mark.parametrize(
    ("text", "options", "reason"),
    [
        ("No headings at all.\n9 a.m.: A.\n", {"year": 2023}, "no day headings"),
        ("September 2\nNo times.\n", {"year": 2023}, "no entries"),
        ("September 2\n9 a.m.: A.\n", {"year": 2023, "time_zone": "Mars/Olympus"}, "time zone"),
        ("September 2\n9 a.m.: A.\n", {"year": 99999}, "out of range"),
    ],
)
def test_unusable_input_is_an_import_error(text: str, options: dict[str, Any], reason: str) -> None:
    options = {"source": "t.txt", "time_zone": "Asia/Yerevan"} | options
    with pytest.raises(ImportParseError, match=reason):
        day_headings.parse(text, ParseOptions(**options))


def test_windows_line_endings_and_bom() -> None:
    blog = parse("\ufeffSeptember 2\r\n9 a.m.: A.\r\nMore.\r\n", year=2023)
    assert blog.entries[0].body == "A.\n\nMore." and blog.entries[0].line == 2


def synthetic_blog(entries: int, per_day: int = 500) -> str:
    """A newest-first blog: day headings, an entry every two minutes, some with a 2nd para."""
    lines = ["An introduction."]
    day = date(2023, 12, 31)
    number = entries
    while number:
        lines.append(f"{day:%B} {day.day}")
        for slot in range(min(per_day, number)):
            hour, minute = divmod((per_day - 1 - slot) * 2, 60)
            meridiem = "a.m." if hour < 12 else "p.m."
            lines.append(f"{(hour % 12) or 12}:{minute:02d} {meridiem}: Entry {number}.")
            if slot % 3 == 0:
                lines.append("A second paragraph.")
            number -= 1
        day -= timedelta(days=1)
    return "\n".join(lines)


def test_large_blog() -> None:
    blog = parse(synthetic_blog(20_000), year=2023)
    assert len(blog.entries) == 20_000
    assert blog.entries[0].body == "Entry 1."
    assert blog.entries[-1].body == "Entry 20000.\n\nA second paragraph."
    assert blog.warnings == []
