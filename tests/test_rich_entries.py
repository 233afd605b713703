"""Images and embeds wherever readers and tools look: pages, permalinks, feed, JSON-LD, push."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from liveblog import broadcast, commands
from liveblog.api.serializers import EventSerializer
from liveblog.media import file_url
from liveblog.models import Blog, Event, Media
from tests import samples

pytestmark = pytest.mark.django_db


def _upload(blog: Blog, width: int = 1200, height: int = 800, **fields: str) -> Media:
    return commands.media_upload(
        blog=blog,
        data=samples.photo(width, height, orientation=1),
        filename="harbour.jpg",
        alt=fields.get("alt", "Waves over the harbour wall"),
        caption=fields.get("caption", "Fowey at 7am"),
        credit=fields.get("credit", "Jo Smith"),
        actor="editor",
        max_bytes=10_000_000,
        max_pixels=50_000_000,
    )


def _image_entry(blog: Blog, media: Media, text: str = "The wall gave way."):
    return commands.entry_publish(
        blog=blog, body=f"{text}\n\n![Harbour wall]({file_url(media.name)})", actor="editor"
    )


def test_the_app_serves_media_immutable_and_unsniffable(blog: Blog) -> None:
    media = _upload(blog)
    response = Client().get(file_url(media.name))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.getvalue().startswith(b"\xff\xd8")
    assert (
        Client().get(file_url(media.name), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    )


@pytest.mark.parametrize(
    "path", ["/media/../settings.py", "/media/ab/harbour.jpg", "/media/ab/" + "a" * 64 + ".jpg"]
)
def test_only_stored_media_names_are_served(path: str) -> None:
    assert Client().get(path).status_code == 404


def test_reader_page_and_permalink_show_the_figure_and_each_revision_its_own(blog: Blog) -> None:
    first, second = _upload(blog), _upload(blog, 900, 600, caption="Later")
    entry = _image_entry(blog, first)
    commands.entry_correct(
        entry=entry, body=f"![Wall]({file_url(second.name)})", reason="Better photo", actor="ed"
    )

    page = Client().get(blog.get_absolute_url()).content.decode()
    assert 'class="entry-image"' in page and file_url(second.name) in page
    assert "srcset=" in page and 'sizes="(min-width: 44rem) 42rem, 100vw"' in page
    assert "liveblog/embeds.js" in page and "liveblog/rich.css" in page

    permalink = Client().get(entry.get_absolute_url()).content.decode()
    revisions = permalink.split('id="revisions"')[1]
    assert file_url(first.name) in revisions and file_url(second.name) in revisions
    assert "Fowey at 7am" in revisions and "Later" in revisions


def test_the_feed_has_an_enclosure_per_image(blog: Blog) -> None:
    media = _upload(blog)
    _image_entry(blog, media)
    feed = Client().get(f"/blogs/{blog.slug}/feed/").content.decode()
    enclosure = re.search(r'<link [^>]*rel="enclosure"[^>]*>', feed)
    assert enclosure is not None
    assert f'href="http://testserver{file_url(media.name)}"' in enclosure.group()
    assert 'type="image/jpeg"' in enclosure.group()
    assert f'length="{media.files[-1]["size"]}"' in enclosure.group()


def test_json_ld_names_the_images_of_each_update_and_of_the_blog(blog: Blog) -> None:
    media = _upload(blog)
    _image_entry(blog, media)
    commands.entry_publish(blog=blog, body="No picture here", actor="editor")
    page = Client().get(blog.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert raw is not None
    data = json.loads(raw.group(1))
    url = f"http://testserver{file_url(media.name)}"
    assert data["image"] == [url]
    with_image, without = sorted(data["liveBlogUpdate"], key=lambda u: "image" not in u)
    assert with_image["image"] == [url] and "image" not in without


def test_a_pushed_entry_with_an_image_carries_urls_and_sizes_in_under_3_kb(blog: Blog) -> None:
    media = _upload(blog)
    entry = _image_entry(blog, media, "Storm update: the harbour wall in Fowey gave way at 7am.")
    event = Event.objects.filter(blog=blog, entry_id=entry.pk).get()
    text = broadcast.to_json(EventSerializer.represent(event))
    assert len(text.encode()) < 3_000
    message = json.loads(text)
    assert message["entry"]["media"][0]["renditions"][-1]["width"] == 1200
    assert "base64" not in text and "\\u00ff" not in text


def test_an_upload_keeps_its_seq_in_the_log_but_reveals_nothing_until_an_entry_shows_it(
    blog: Blog,
) -> None:
    before = blog.last_seq
    media = _upload(blog)
    event = Event.objects.filter(blog=blog).latest("seq")
    message = EventSerializer.represent(event)
    assert message["type"] == "media.uploaded" and message["seq"] == before + 1
    assert message["media"] is None and "entry" not in message
    text = broadcast.to_json(message)
    assert media.name not in text and media.alt not in text
