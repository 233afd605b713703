"""Other systems' exports: WordPress Liveblog (WXR), Sourcefabric Live Blog 3, CSV and JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from liveblog.importers import sourcefabric, table, wordpress
from liveblog.importers.base import ImportParseError, ParsedEntry, Retraction, Revision
from liveblog.importers.options import ParseOptions
from liveblog.importers.registry import detect_format

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def read(name: str) -> str:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return text


def test_wordpress_edits_and_deletions_become_history_with_times_and_authors() -> None:
    text = read("wordpress-liveblog.xml")
    assert detect_format(text, source="wp.xml") == "wordpress"
    blog = wordpress.parse(text, ParseOptions(source="wp.xml", time_zone="Europe/Stockholm"))
    assert blog.title == "Town council budget night: live"
    assert blog.introduction == "Follow the council's budget debate as it happens."
    opening, vote, rumour = blog.entries
    assert (opening.occurred_at, opening.author) == (
        datetime(2023, 3, 7, 17, 2, tzinfo=UTC),
        "Nora Lindqvist",
    )
    assert vote.key_event and vote.body.startswith("The budget passes by 22 votes to 18.")
    assert "![The vote count on the screen](https://gazette.example/" in vote.body
    (edit,) = vote.revisions
    assert (edit.occurred_at, edit.author) == (
        datetime(2023, 3, 7, 17, 41, tzinfo=UTC),
        "Oskar Berg",
    )
    assert edit.body.startswith("The budget passes by 23 votes to 17.")
    assert rumour.retraction == Retraction(
        occurred_at=datetime(2023, 3, 7, 17, 52, tzinfo=UTC), author="Oskar Berg"
    )
    assert all("Great coverage" not in e.body for e in blog.entries)  # a reader's comment


def test_wordpress_entries_kept_as_child_posts_have_headlines_edits_and_key_events() -> None:
    # Newer versions of the plugin keep each entry as a child post instead of a comment.
    text = read("wordpress-liveblog-posts.xml")
    assert detect_format(text, source="wp.xml") == "wordpress"
    blog = wordpress.parse(text, ParseOptions(source="wp.xml", time_zone="UTC"))
    assert (blog.title, blog.introduction) == ("Harbour storm: live", "Updates through the night.")
    (ferries,) = blog.entries
    assert ferries.key_event
    versions: list[ParsedEntry | Revision] = [ferries, *ferries.revisions]
    assert [(v.occurred_at, v.author, v.headline, v.body) for v in versions] == [
        (datetime(2023, 10, 20, 16, 5, tzinfo=UTC), "Ida Holm", "Ferries stop", "Gone at six."),
        (datetime(2023, 10, 20, 16, 20, tzinfo=UTC), "Per Dahl", "Ferries halt", "Gone at five."),
    ]


def test_wordpress_refuses_malformed_xml_with_the_line() -> None:
    text = read("wordpress-liveblog.xml").replace("</wp:comment_id>", "", 1)
    with pytest.raises(ImportParseError, match="not well-formed XML") as refused:
        wordpress.parse(text, ParseOptions(source="wp.xml", time_zone="UTC"))
    assert refused.value.line is not None


def test_wordpress_does_not_expand_entities() -> None:
    text = (
        read("wordpress-liveblog.xml")
        .replace(
            '<?xml version="1.0" encoding="UTF-8" ?>',
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        )
        .replace("The mayor opens the session.", "&x;")
    )
    blog = wordpress.parse(text, ParseOptions(source="wp.xml", time_zone="UTC"))
    assert all("root:" not in e.body for e in blog.entries)


def test_sourcefabric_posts_keep_flags_deletions_and_set_drafts_aside() -> None:
    text = read("sourcefabric-posts.json")
    assert detect_format(text, source="lb.json") == "sourcefabric"
    blog = sourcefabric.parse(text, ParseOptions(source="lb.json", time_zone="UTC"))
    welcome, bridge, cancelled = blog.entries
    assert welcome.pinned and not welcome.key_event
    assert bridge.key_event and bridge.author == "Ines Duarte"
    assert "The leaders reach the **second bridge**." in bridge.body
    assert "![Riders on the bridge Photo: Race Desk](https://img.example/o.jpg)" in bridge.body
    assert "> We rode as a team.\n\n\u2014 The team captain" in bridge.body
    assert cancelled.retraction == Retraction(
        occurred_at=datetime(2024, 6, 2, 10, 55, tzinfo=UTC), author="Desk Editor"
    )
    assert [item.why for item in blog.set_aside] == ["draft post"]
    assert any(str(w).startswith("lb.json (_items[3]): a draft post") for w in blog.warnings)


@pytest.mark.parametrize("name", ["entries.csv", "entries.json"])
def test_a_generic_table_of_time_headline_body_author(name: str) -> None:
    text = read(name)
    assert detect_format(text, source=name) == "table"
    blog = table.parse(text, ParseOptions(source=name, time_zone="Europe/Ljubljana"))
    first, last = blog.entries[0], blog.entries[-1]
    cet = timezone(timedelta(hours=1))
    assert (first.occurred_at, first.headline, first.body, first.author) == (
        datetime(2023, 11, 5, 9, 0, tzinfo=cet),
        "Polls open",
        "Polling stations opened at 9.",
        "Ada Novak",
    )
    assert last.occurred_at.astimezone(cet) == datetime(2023, 11, 5, 21, 0, tzinfo=cet)
    assert last.body.startswith("Counting begins.\n\nFirst results expected at")
    assert last.author == "Ben Ruiz"


def test_a_table_row_with_an_unreadable_time_is_refused_with_its_line() -> None:
    text = "time,body\n2023-11-05T09:00:00+01:00,Fine.\nsoon,Not fine.\n"
    with pytest.raises(ImportParseError, match="time 'soon'") as refused:
        table.parse(text, ParseOptions(source="t.csv", time_zone="UTC"))
    assert str(refused.value).startswith("t.csv:3: ")
