"""The Atom feed: what feed readers and search engines get at /blogs/<slug>/feed/."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from liveblog import commands

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _href(element: ET.Element, path: str) -> str:
    link = element.find(path)
    assert link is not None, f"no {path}"
    return link.get("href", "")


def _when(element: ET.Element, path: str) -> datetime:
    return datetime.fromisoformat(element.findtext(path, ""))


def _feed(client, slug: str = "election-night") -> ET.Element:
    response = client.get(f"/blogs/{slug}/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_the_feed_lists_entries_newest_first_with_permalinks(client, blog) -> None:
    now = timezone.now()
    older = commands.entry_publish(
        blog=blog,
        body="Polls **open**",
        headline="Polls open",
        actor="editor",
        occurred_at=now - timedelta(hours=1),
    )
    newer = commands.entry_publish(blog=blog, body="Turnout is high", actor="editor")
    feed = _feed(client)
    assert feed.findtext(f"{ATOM}title") == "Election night"
    assert _href(feed, f"{ATOM}link[@rel='self']").endswith("/blogs/election-night/feed/")
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        f"urn:uuid:{newer.id}",
        f"urn:uuid:{older.id}",
    ]
    first, second = entries
    assert first.findtext(f"{ATOM}title") == "Turnout is high"  # no headline: the text
    assert second.findtext(f"{ATOM}title") == "Polls open"
    assert _href(second, f"{ATOM}link") == (
        f"http://testserver/blogs/election-night/entries/{older.id}/"
    )
    assert second.findtext(f"{ATOM}summary") == "<p>Polls <strong>open</strong></p>"
    assert _when(second, f"{ATOM}published") == older.occurred_at


def test_corrections_update_the_entry_and_retractions_show_the_notice(client, blog) -> None:
    fixed = commands.entry_publish(blog=blog, body="Turnout 48%", actor="editor")
    fixed = commands.entry_correct(entry=fixed, body="Turnout 46%", reason="typo", actor="ed")
    wrong = commands.entry_publish(blog=blog, body="A <false> claim", actor="editor")
    commands.entry_retract(entry=wrong, reason="Not <true>", actor="editor")
    entries = {
        entry.findtext(f"{ATOM}id"): entry for entry in _feed(client).findall(f"{ATOM}entry")
    }
    corrected = entries[f"urn:uuid:{fixed.id}"]
    assert corrected.findtext(f"{ATOM}summary") == "<p>Turnout 46%</p>"
    assert _when(corrected, f"{ATOM}updated") == fixed.updated_at
    retracted = entries[f"urn:uuid:{wrong.id}"]
    assert retracted.findtext(f"{ATOM}title") == "Retracted update"
    assert retracted.findtext(f"{ATOM}summary") == "<p>Retracted: Not &lt;true&gt;</p>"


def test_the_feed_holds_the_newest_50(client, blog) -> None:
    commands.entries_publish(
        blog=blog,
        actor="importer",
        publications=[commands.Publication(body=f"n{n}") for n in range(55)],
    )
    assert len(_feed(client).findall(f"{ATOM}entry")) == 50


def test_a_draft_has_no_public_feed(client) -> None:
    commands.blog_create(slug="draft", title="Draft", actor="editor")
    assert client.get("/blogs/draft/feed/").status_code == 404
    assert client.get("/blogs/nope/feed/").status_code == 404


def test_the_reader_page_advertises_the_feed(client, blog) -> None:
    page = client.get(blog.get_absolute_url()).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/blogs/election-night/feed/"' in page
