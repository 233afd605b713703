"""HTML pages: the page's own structure first (JSON-LD, microdata, time elements), else text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from liveblog.importers import html
from liveblog.importers.base import ImportParseError, ParsedBlog
from liveblog.importers.options import ParseOptions
from liveblog.importers.registry import detect_format

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"
CEST = timezone(timedelta(hours=2))


def parse(name: str) -> ParsedBlog:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    assert detect_format(text, source=name) == "html"
    return html.parse(text, ParseOptions(source=name, time_zone="UTC"))


def test_json_ld_updates_take_their_body_from_the_element_their_url_names() -> None:
    blog = parse("jsonld-page.html")
    assert blog.title == "Valley wildfire: live updates"
    assert blog.format == "html (JSON-LD)"
    assert blog.updated_at == datetime(2023, 8, 14, 11, 20, tzinfo=CEST)
    assert [(e.occurred_at, e.headline, e.author) for e in blog.entries] == [
        (datetime(2023, 8, 14, 6, 10, tzinfo=CEST), "Fire crosses the ridge road", ""),
        (datetime(2023, 8, 14, 9, 5, tzinfo=CEST), "Wind expected to turn by noon", "Pere Soler"),
        (
            datetime(2023, 8, 14, 11, 20, tzinfo=CEST),
            "Evacuation buses leave the upper valley",
            "Marta Quintero",
        ),
    ]
    first, second, third = (e.body for e in blog.entries)
    assert (
        first
        == "Crews closed the ridge road at dawn.\n\nResidents of two hamlets were told to leave."
    )
    assert "- Gusts up to 60 km/h\n- Humidity below 20%" in second
    assert "> We are watching the ridge closely." in second
    assert "[civil protection agency](https://civil.example/)" in third
    assert "![Buses on the valley road](https://img.example/buses.jpg)" in third
    assert "*Buses on the valley road on Monday*" in third
    assert "Share" not in third and "By Marta" not in third
    assert third.count("Evacuation buses") == 0  # the headline is not repeated in the body
    warnings = [str(w) for w in blog.warnings]
    assert (
        "jsonld-page.html:42 (img): image kept as a reference to https://img.example/buses.jpg"
        in warnings[0]
    )
    assert any(item.element == "div.share-tools" for item in blog.set_aside)


def test_json_ld_listing_fewer_updates_than_the_page_shows_loses_to_the_markup() -> None:
    text = (SAMPLES / "time-elements-page.html").read_text(encoding="utf-8")
    partial = (
        '<script type="application/ld+json">{"@type": "LiveBlogPosting", "liveBlogUpdate": '
        '[{"headline": "Talks", "datePublished": "2023-05-02T15:40:00+01:00", '
        '"articleBody": "Both sides agreed."}]}</script></head>'
    )
    blog = html.parse(
        text.replace("</head>", partial), ParseOptions(source="p.html", time_zone="UTC")
    )
    assert len(blog.entries) == 3
    assert any(
        "JSON-LD lists 1 updates but its time elements show 3" in str(w) for w in blog.warnings
    )


def test_time_elements_mark_the_entries_when_there_is_no_json_ld() -> None:
    blog = parse("time-elements-page.html")
    bst = timezone(timedelta(hours=1))
    assert blog.title == "Harbour strike day two"
    assert [(e.occurred_at, e.headline, e.author, e.element) for e in blog.entries] == [
        (datetime(2023, 5, 2, 8, 0, tzinfo=bst), "", "", "div#p-1"),
        (datetime(2023, 5, 2, 12, 15, tzinfo=bst), "Ferries diverted", "", "div#p-2"),
        (
            datetime(2023, 5, 2, 15, 40, tzinfo=bst),
            "Talks to resume tomorrow",
            "Ruth Adeyemi",
            "div#p-3",
        ),
    ]
    assert "[Embedded content](https://video.example/embed/abc)" in blog.entries[1].body
    assert all("\ue80d" not in e.body and "Home" not in e.body for e in blog.entries)
    assert any("iframe" in str(w) and "kept as a link" in str(w) for w in blog.warnings)


def test_a_page_without_structure_is_read_as_text_and_messages_name_elements() -> None:
    blog = parse("plain-page.html")
    cet = timezone(timedelta(hours=1))
    assert blog.format == "html (text, timeline)"
    assert [(e.occurred_at, e.headline) for e in blog.entries] == [
        (datetime(2024, 2, 3, 11, 5, tzinfo=cet), "Rescue teams set out"),
        (datetime(2024, 2, 3, 14, 30, tzinfo=cet), "Helicopter grounded by fog"),
        (datetime(2024, 2, 3, 16, 10, tzinfo=cet), "Last climbers reach the hut"),
    ]
    assert all(e.element == "p" and e.line > 0 for e in blog.entries)
    assert any(item.why == "page metadata" and item.line == 5 for item in blog.set_aside)


def test_a_page_with_nothing_to_import_names_the_file_and_says_why() -> None:
    with pytest.raises(ImportParseError) as refused:
        html.parse(
            "<html><body><p>Just prose.</p></body></html>",
            ParseOptions(source="a.html", time_zone="UTC"),
        )
    assert str(refused.value).startswith("a.html")
    assert "read as text" in refused.value.reason


def test_microdata_updates_are_read_when_there_is_no_json_ld() -> None:
    page = """<html><body><div itemscope itemtype="https://schema.org/LiveBlogPosting">
    <h1 itemprop="headline">Marathon day</h1>
    <div itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting">
      <meta itemprop="datePublished" content="2024-04-21T10:05:00+02:00">
      <h2 itemprop="headline">Leaders pass halfway</h2>
      <span itemprop="author" itemscope><span itemprop="name">Kai Berger</span></span>
      <div itemprop="articleBody"><p>The lead group passed halfway in 1:02.</p></div>
    </div>
    <div itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting">
      <meta itemprop="datePublished" content="2024-04-21T09:00:00+02:00">
      <div itemprop="articleBody"><p>The race has started.</p></div>
    </div></div></body></html>"""
    blog = html.parse(page, ParseOptions(source="m.html", time_zone="UTC"))
    assert blog.format == "html (microdata)"
    assert [(e.occurred_at, e.headline, e.author, e.body) for e in blog.entries] == [
        (datetime(2024, 4, 21, 9, 0, tzinfo=CEST), "", "", "The race has started."),
        (
            datetime(2024, 4, 21, 10, 5, tzinfo=CEST),
            "Leaders pass halfway",
            "Kai Berger",
            "The lead group passed halfway in 1:02.",
        ),
    ]


def test_json_ld_listing_only_the_latest_updates_loses_to_the_stamped_text() -> None:
    entries = "".join(
        f"<div class='entry'><p>{hour:02d}:15 GMT</p><h3>Update at {hour}</h3>"
        f"<p>Something happened at {hour}.</p></div>"
        for hour in range(20, 8, -1)
    )
    page = (
        '<html><head><script type="application/ld+json">{"@type": "LiveBlogPosting", '
        '"dateModified": "2024-01-10T20:30:00+00:00", "liveBlogUpdate": [{"headline": '
        '"Update at 20", "datePublished": "2024-01-10T20:15:00+00:00", "articleBody": '
        '"Something happened at 20."}]}</script></head><body><main>'
        f"<p>Updated 20:30 GMT, 10 January 2024</p>{entries}</main></body></html>"
    )
    blog = html.parse(page, ParseOptions(source="l.html", time_zone="UTC"))
    assert len(blog.entries) == 12
    assert "lists 1 updates but its text shows 12" in str(blog.warnings[0])
