"""Readers see who wrote each update, and its labels: on the page, in the feed and JSON-LD."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from liveblog import bylines, commands
from liveblog.bylines import Byline
from liveblog.models import Blog, Profile

pytestmark = pytest.mark.django_db

ANA = Byline("Ana Petrosyan", "", "Yerevan")


def test_a_byline_reads_as_a_newsroom_writes_it() -> None:
    assert str(ANA) == "Ana Petrosyan, in Yerevan"
    assert str(Byline("Ana Petrosyan", "Correspondent", "Yerevan")) == (
        "Ana Petrosyan, Correspondent, in Yerevan"
    )
    assert str(Byline("Reuters")) == "Reuters"
    assert str(Byline("", "Correspondent", "Yerevan")) == ""


def test_a_user_s_byline_comes_from_their_profile_else_their_name_never_their_login(
    editor: Any,
) -> None:
    assert bylines.of_user(editor) == Byline()  # no name: the login is not a byline
    editor.first_name, editor.last_name = "Lilit", "Hakobyan"
    editor.save()
    assert bylines.of_user(editor) == Byline("Lilit Hakobyan")
    Profile.objects.create(user=editor, role="Editor", location="Stepanakert")
    assert bylines.of_user(editor) == Byline("Lilit Hakobyan", "Editor", "Stepanakert")
    Profile.objects.filter(user=editor).update(display_name="L. Hakobyan")
    assert bylines.of_user(editor).name == "L. Hakobyan"


def _article(page: str, entry_id: object) -> str:
    found = re.search(rf'<article [^>]*data-entry-id="{entry_id}".*?</article>', page, re.S)
    assert found, entry_id
    return found.group()


def test_the_page_shows_one_byline_per_update_its_labels_and_the_contributors(
    client: Client, blog: Blog
) -> None:
    ana = commands.entry_publish(
        blog=blog, body="Shelling", actor="editor", byline=ANA, labels=["Breaking"]
    )
    wire = commands.entry_publish(blog=blog, body="Wire", actor="editor", byline=Byline("Reuters"))
    nobody = commands.entry_publish(blog=blog, body="Desk note", actor="editor")
    commands.entry_publish(blog=blog, body="More", actor="editor", byline=ANA)
    page = client.get(blog.get_absolute_url()).content.decode()
    article = _article(page, ana.pk)
    assert article.count('class="entry-byline"') == 1
    assert '<p class="entry-byline">Ana Petrosyan, in Yerevan</p>' in article
    assert '<span class="badge badge-label">Breaking</span>' in article
    assert '<p class="entry-byline">Reuters</p>' in _article(page, wire.pk)
    assert "entry-byline" not in _article(page, nobody.pk)
    assert ">editor<" not in page  # the login name is never shown
    contributors = re.search(r'<p class="blog-contributors">.*?</p>', page, re.S)
    assert contributors is not None
    names = re.findall(r'<span class="contributor">(.*?)</span>', contributors.group())
    assert names == ["Ana Petrosyan, in Yerevan", "Reuters"]  # most updates first


def test_readers_filter_by_label(client: Client, blog: Blog) -> None:
    tagged = commands.entry_publish(blog=blog, body="Big", actor="editor", labels=["Analysis"])
    commands.entry_publish(blog=blog, body="Small", actor="editor")
    page = client.get(f"{blog.get_absolute_url()}?label=analysis").content.decode()
    assert re.findall(r'data-entry-id="([0-9a-f-]+)"', page) == [str(tagged.pk)]
    assert 'aria-current="page">Analysis</a>' in page
    found = re.search(r'id="liveblog-config"[^>]*>(.*?)</script>', page)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["live"] is False  # pushed updates are every update, not the label's
    assert client.get(f"{blog.get_absolute_url()}?label=" + "x" * 200).status_code == 404
    assert client.get(f"{blog.get_absolute_url()}?label=%07").status_code == 404


def test_the_feed_and_json_ld_name_the_author(client: Client, blog: Blog) -> None:
    commands.entry_publish(
        blog=blog, body="Shelling", actor="editor", byline=ANA, labels=["Breaking"]
    )
    commands.entry_publish(blog=blog, body="Desk note", actor="editor")
    feed = client.get(f"/blogs/{blog.slug}/feed/").content.decode()
    assert "<author><name>Ana Petrosyan</name></author>" in feed
    assert '<category term="Breaking"' in feed
    assert "<name>editor</name>" not in feed
    page = client.get(blog.get_absolute_url()).content.decode()
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    updates = json.loads(text)["liveBlogUpdate"]
    authors = [update.get("author") for update in updates]
    assert {
        "@type": "Person",
        "name": "Ana Petrosyan",
        "workLocation": {"@type": "Place", "name": "Yerevan"},
    } in authors
