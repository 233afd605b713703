"""The timeline layout: copied live pages with stamps in the forms real newsrooms print."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liveblog.importers import timeline
from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.options import ParseOptions
from liveblog.importers.registry import detect_format

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"
NEW_YORK = ZoneInfo("America/New_York")
BST = timezone(timedelta(hours=1))


def parse(name: str, **options: Any) -> ParsedBlog:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    assert detect_format(text, source=name) == "timeline"
    return timeline.parse(text, ParseOptions(source=name, time_zone="Europe/Kyiv", **options))


def bodies(blog: ParsedBlog) -> str:
    return "\n".join(f"{e.headline}\n{e.body}" for e in blog.entries)


def test_relative_stamps_count_from_the_pages_updated_stamp_and_bylines_become_authors() -> None:
    blog = parse("us-network-style.txt")
    assert blog.title == "Storm season on the coast"
    assert blog.updated_at == datetime(2023, 9, 26, 0, 3, tzinfo=NEW_YORK)
    assert [(e.occurred_at, e.headline, e.author) for e in blog.entries] == [
        (
            datetime(2023, 9, 25, 22, 41, tzinfo=NEW_YORK),
            "Evacuation order lifted for two districts",
            "Sam Okafor (Harbor News)",
        ),
        (
            datetime(2023, 9, 25, 23, 28, tzinfo=NEW_YORK),
            "Power restored to most homes",
            "Harbor News staff",
        ),
        (
            datetime(2023, 9, 25, 23, 59, tzinfo=NEW_YORK),
            "Ferries resume after the overnight closure",
            "Lena Ortiz (Harbor News), in Port Ellis",
        ),
    ]
    text = bodies(blog)
    for furniture in ("Link Copied", "Sort by", "3 Posts", "Skip to", "From Harbor", "Updated"):
        assert furniture not in text
    # The caption printed twice keeps its credited copy only.
    assert text.count("A lineman works on a pole") == 1
    why = {item.text: item.why for item in blog.set_aside}
    assert why["By Dana Whitfield and Omar Reyes, Harbor News"] == "page byline"
    assert why["Updated 12:03 a.m. ET, September 26, 2023"] == "page metadata"


def test_zoned_clock_times_take_the_pages_date_and_update_notes_are_reported() -> None:
    blog = parse("uk-daily-style.txt")
    assert [(e.occurred_at, e.headline) for e in blog.entries] == [
        (datetime(2023, 9, 22, 12, 2, tzinfo=BST), "Ministers call for calm"),
        (datetime(2023, 9, 22, 13, 30, tzinfo=BST), "Commuters face a second day of cancellations"),
        (datetime(2023, 9, 22, 14, 5, tzinfo=BST), "Union says talks will resume on Monday"),
    ]
    assert "Share" not in bodies(blog) and "newsletter" not in bodies(blog)
    messages = [str(w) for w in blog.warnings]
    assert any(
        "uk-daily-style.txt:12: the entry at line 8 says 'Updated at 14.20 BST'" in m
        for m in messages
    )
    assert any(
        "dated 2023-09-22 from the page's 'Updated' stamp; pass --date" in m for m in messages
    )
    assert any("newsletter" in m and "set aside" in m for m in messages)


def test_bulleted_stamps_with_headlines_on_their_line_oldest_first() -> None:
    blog = parse("gulf-desk-style.txt")
    utc = UTC
    assert [(e.occurred_at, e.headline) for e in blog.entries] == [
        (datetime(2023, 9, 20, 3, 0, tzinfo=utc), "Governor declares a state of emergency"),
        (datetime(2023, 9, 20, 5, 45, tzinfo=utc), "Rescue boats reach the island villages"),
        (datetime(2023, 9, 20, 9, 22, tzinfo=utc), "Schools closed until further notice"),
    ]


def test_day_headings_without_a_year_and_twelve_hour_headlines_on_the_stamp_line() -> None:
    blog = parse("field-notes-style.txt")
    kyiv = ZoneInfo("Europe/Kyiv")
    assert [(e.occurred_at, e.headline, e.author) for e in blog.entries] == [
        (datetime(2022, 3, 1, 16, 5, tzinfo=kyiv), "Crossing reopens to pedestrians", ""),
        (datetime(2022, 3, 2, 9, 40, tzinfo=kyiv), "Queue stretches for three kilometres", ""),
        (
            datetime(2022, 3, 2, 18, 15, tzinfo=kyiv),
            "Buses leave for the capital",
            "Irina Kovalenko",
        ),
    ]
    assert "By Irina" not in bodies(blog)


def test_a_page_without_dates_needs_date_and_passes_midnight() -> None:
    with pytest.raises(ImportParseError, match=r"--date, e\.g\. --date 2022-11-19") as refused:
        parse("undated-clock.txt")
    assert str(refused.value).startswith("undated-clock.txt:3: ")
    blog = parse("undated-clock.txt", date=date(2023, 9, 20))
    kyiv = ZoneInfo("Europe/Kyiv")
    assert [e.occurred_at for e in blog.entries] == [
        datetime(2023, 9, 19, 22, 55, tzinfo=kyiv),
        datetime(2023, 9, 19, 23, 40, tzinfo=kyiv),
        datetime(2023, 9, 20, 1, 10, tzinfo=kyiv),
    ]
    assert any("pass midnight" in str(w) for w in blog.warnings)


def test_relative_stamps_without_an_updated_stamp_need_now() -> None:
    text = "Live: test\n\n5 min ago\nFirst thing\nIt happened.\n\n1 hour ago\nSecond\nAlso.\n"
    with pytest.raises(ImportParseError, match="--now 2023-09-26T09:30"):
        timeline.parse(text, ParseOptions(source="rel.txt", time_zone="UTC"))
    now = datetime(2023, 9, 26, 9, 30, tzinfo=UTC)
    blog = timeline.parse(text, ParseOptions(source="rel.txt", time_zone="UTC", now=now))
    assert [e.occurred_at for e in blog.entries] == [
        now - timedelta(hours=1),
        now - timedelta(minutes=5),
    ]


def test_the_stamps_own_zone_wins_and_ambiguous_abbreviations_warn() -> None:
    text = "September 20, 2023\n10:00 IST\nA thing.\n\n11:00 IST\nAnother.\n"
    blog = timeline.parse(text, ParseOptions(source="ist.txt", time_zone="Europe/London"))
    india = timezone(timedelta(hours=5, minutes=30))
    assert [e.occurred_at for e in blog.entries] == [
        datetime(2023, 9, 20, 10, 0, tzinfo=india),
        datetime(2023, 9, 20, 11, 0, tzinfo=india),
    ]
    assert any("IST" in str(w) and "--zone-abbreviation IST=" in str(w) for w in blog.warnings)
    israel = timeline.parse(
        text, ParseOptions(source="ist.txt", time_zone="UTC", zone_names={"IST": "Asia/Jerusalem"})
    )
    assert israel.entries[0].occurred_at == datetime(
        2023, 9, 20, 10, tzinfo=ZoneInfo("Asia/Jerusalem")
    )


def test_a_page_that_would_be_one_entry_with_unread_stamps_is_refused() -> None:
    paragraphs = "\n".join(f"Paragraph {n} of the story." for n in range(20))
    unread = "10:30h: Odd stamp one\n11:15h: Odd two\n"
    text = f"Title line here\n\n09:00 GMT\nStart\n{paragraphs}\n{unread}"
    with pytest.raises(ImportParseError, match="the whole page became one entry"):
        timeline.parse(text, ParseOptions(source="one.txt", time_zone="UTC", date=date(2023, 1, 1)))


def test_headlines_printed_above_their_stamps_are_moved_to_their_entries() -> None:
    blog = parse("headline-above-style.txt")
    assert [(e.occurred_at.hour, e.headline) for e in blog.entries] == [
        (9, "Families gather outside the court"),
        (16, "Owners decline to comment"),
        (17, "Inquiry hears from the ship's captain"),
    ]
    assert all("decline to comment" not in e.body for e in blog.entries)
    assert any("each headline above its time stamp" in str(w) for w in blog.warnings)


def test_the_pages_published_and_updated_stamps_are_metadata_not_entries() -> None:
    text = (
        "Breaking news: the flood\nFebruary 24, 2022 10:03am\nUpdated: March 25, 2022 5:38pm\n"
        "Follow our live updates.\nMarch 23, 2022\n10:30 a.m. Brussels promises aid\n"
        "Funds arrive within a week.\n8:15 a.m. Roads closed near the river\nPolice closed "
        "three bridges.\nMarch 22, 2022\n11:25 p.m. Rain expected to ease by morning\n"
    )
    blog = timeline.parse(text, ParseOptions(source="flood.txt", time_zone="UTC"))
    utc = UTC
    assert (blog.published_at, blog.updated_at) == (
        datetime(2022, 2, 24, 10, 3, tzinfo=utc),
        datetime(2022, 3, 25, 17, 38, tzinfo=utc),
    )
    assert [(e.occurred_at, e.headline, e.body) for e in blog.entries] == [
        (datetime(2022, 3, 22, 23, 25, tzinfo=utc), "", "Rain expected to ease by morning"),
        (
            datetime(2022, 3, 23, 8, 15, tzinfo=utc),
            "Roads closed near the river",
            "Police closed three bridges.",
        ),
        (
            datetime(2022, 3, 23, 10, 30, tzinfo=utc),
            "Brussels promises aid",
            "Funds arrive within a week.",
        ),
    ]
    assert blog.introduction == "Follow our live updates."
