"""The public record of corrections and retractions: its page, its feed, what it withholds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from liveblog import commands, corrections
from liveblog.models import Blog, Entry

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def _history(blog: Blog) -> tuple[Entry, Entry]:
    """Two updates: one corrected twice, one corrected and then retracted."""
    kept = commands.entry_publish(
        blog=blog, body="Turnout was 48% at noon", headline="Turnout", actor="editor",
        occurred_at=T0,
    )  # fmt: skip
    commands.entry_correct(
        entry=kept, body="Turnout was 46% at noon", reason="The first figure was wrong",
        actor="editor", occurred_at=T0 + timedelta(minutes=5),
    )  # fmt: skip
    pulled = commands.entry_publish(
        blog=blog, body="Minister Quillfeather resigns", actor="editor",
        occurred_at=T0 + timedelta(minutes=6),
    )  # fmt: skip
    commands.entry_correct(
        entry=pulled, body="Minister Quillfeather may resign", reason="Quillfeather hedged",
        actor="editor", occurred_at=T0 + timedelta(minutes=7),
    )  # fmt: skip
    commands.entry_retract(
        entry=pulled, reason="Not confirmed", actor="editor", occurred_at=T0 + timedelta(minutes=8)
    )
    kept = commands.entry_correct(
        entry=kept, body="Turnout was 46% at noon, the highest since 1992",
        headline="Turnout is high", reason="Added context", actor="editor",
        occurred_at=T0 + timedelta(minutes=9),
    )  # fmt: skip
    return kept, Entry.objects.get(pk=pulled.pk)


def test_changes_are_listed_newest_first_with_what_changed(blog) -> None:
    kept, pulled = _history(blog)
    changes, next_before = corrections.changes_page(blog)
    assert next_before is None
    assert [(c.entry.pk, c.kind, c.at) for c in changes] == [
        (kept.pk, "entry.corrected", T0 + timedelta(minutes=9)),
        (pulled.pk, "entry.retracted", T0 + timedelta(minutes=8)),
        (pulled.pk, "entry.corrected", T0 + timedelta(minutes=7)),
        (kept.pk, "entry.corrected", T0 + timedelta(minutes=5)),
    ]
    newest, retraction, withheld, first = changes
    assert newest.reason == "Added context" and newest.revision == 3
    assert newest.headline_change == "Turnout<ins> is high</ins>"
    assert "<ins>noon, the highest since 1992</ins>" in str(newest.body_change)
    assert first.body_change == "Turnout was <del>48%</del><ins>46%</ins> at noon"
    assert first.headline_change is None
    assert retraction.reason == "Not confirmed"
    # The retracted update's correction keeps only its time.
    assert withheld.withheld and withheld.reason == "" and withheld.body_change is None


def test_the_page_lists_them_and_withholds_the_retracted_words(client, blog) -> None:
    kept, _ = _history(blog)
    page = client.get(f"/blogs/{blog.slug}/corrections/").content.decode()
    assert page.index('id="change-') < page.index("Added context") < page.index("Not confirmed")
    assert "The first figure was wrong" in page and "<del>48%</del><ins>46%</ins>" in page
    assert "Quillfeather" not in page
    assert f'href="/blogs/{blog.slug}/entries/{kept.id}/#revisions">Turnout is high</a>' in page
    assert "Atom feed of corrections" in page


def test_every_corrected_update_links_to_the_page(client, blog) -> None:
    kept, _ = _history(blog)
    link = f'<a href="/blogs/{blog.slug}/corrections/">All corrections</a>'
    assert link in client.get(blog.get_absolute_url()).content.decode()
    assert link in client.get(f"/blogs/{blog.slug}/entries/{kept.id}/").content.decode()


def test_the_feed_has_an_item_per_change_and_no_retracted_words(client, blog) -> None:
    _history(blog)
    response = client.get(f"/blogs/{blog.slug}/corrections/feed/")
    assert response.status_code == 200
    # Cached as briefly as the pages (liveblog.caching): a retraction reaches it in seconds.
    assert response["Cache-Control"] == client.get(blog.get_absolute_url())["Cache-Control"]
    text = response.content.decode()
    assert "Quillfeather" not in text
    feed = ElementTree.fromstring(response.content)
    items = feed.findall(f"{ATOM}entry")
    titles = [item.findtext(f"{ATOM}title") for item in items]
    assert titles == [
        "Corrected: Turnout is high",
        "Retracted: an update was withdrawn",
        "Corrected: Retracted update",
        "Corrected: Turnout is high",
    ]
    ids = [item.findtext(f"{ATOM}id") for item in items]
    assert len(set(ids)) == 4 and all(str(i).startswith("urn:uuid:") for i in ids)
    assert str(items[0].findtext(f"{ATOM}updated")).startswith("2024-07-01T12:09")


def test_pages_go_back_by_a_cursor_and_an_unknown_one_is_not_found(client, blog) -> None:
    _history(blog)
    first, cursor = corrections.changes_page(blog, size=3)
    assert cursor == first[-1].seq
    rest, end = corrections.changes_page(blog, before=cursor, size=3)
    assert len(rest) == 1 and end is None and rest[0].revision == 2
    page = client.get(f"/blogs/{blog.slug}/corrections/?before={cursor}").content.decode()
    assert "Back to the newest corrections" in page
    assert client.get(f"/blogs/{blog.slug}/corrections/?before=99999").status_code == 404
    assert client.get(f"/blogs/{blog.slug}/corrections/?before=x").status_code == 404


def test_a_blog_without_corrections_says_so(client, blog) -> None:
    page = client.get(f"/blogs/{blog.slug}/corrections/").content.decode()
    assert "No update of this blog has been corrected or retracted." in page
    assert re.search(r"<h1>Corrections and retractions</h1>", page)
