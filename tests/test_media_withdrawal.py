"""A retraction withdraws its images: 410 Gone for readers, unless a live entry shows them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from liveblog import commands, rebuild
from liveblog.media import file_url
from liveblog.models import Blog, Entry, Media
from tests import samples

pytestmark = pytest.mark.django_db

YOUTUBE = "https://www.youtube.com/watch?v=wdr"


def _upload(blog: Blog, colour_width: int = 1200) -> Media:
    return commands.media_upload(
        blog=blog,
        data=samples.photo(colour_width, 800, orientation=1),
        filename="harbour.jpg",
        alt="Waves over the harbour wall",
        actor="editor",
        max_bytes=10_000_000,
        max_pixels=50_000_000,
    )


def _publish(blog: Blog, media: Media, text: str = "The wall gave way.") -> Entry:
    body = f"{text}\n\n![Harbour wall]({file_url(media.name)})"
    return commands.entry_publish(blog=blog, body=body, actor="editor")


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    return Client().get(url, headers=headers).status_code


def _urls(media: Media) -> list[str]:
    return [file_url(file["name"]) for file in media.files]


def test_a_retracted_entrys_images_are_gone_in_every_rendition(blog: Blog) -> None:
    media = _upload(blog)
    entry = _publish(blog, media)
    assert len(media.files) > 1
    fresh = Client().get(_urls(media)[0])
    assert fresh.status_code == 200
    commands.entry_retract(entry=entry, reason="Wrong harbour", actor="editor")
    for url in _urls(media):
        response = Client().get(url)
        assert response.status_code == 410, url
        assert b"withdrawn" in response.content
        # Briefly cached: the same image may be published again.
        assert response["Cache-Control"] == "public, max-age=60"
    # A cache that kept the file is not told its copy is still good.
    assert _status(_urls(media)[0], {"If-None-Match": fresh["ETag"]}) == 410


def test_an_upload_no_entry_shows_yet_is_served(blog: Blog) -> None:
    media = _upload(blog)
    assert all(_status(url) == 200 for url in _urls(media))


def test_an_image_another_live_entry_shows_stays(blog: Blog) -> None:
    media = _upload(blog)
    first, _second = _publish(blog, media), _publish(blog, media, "Seen from the quay.")
    commands.entry_retract(entry=first, reason="Duplicate", actor="editor")
    assert all(_status(url) == 200 for url in _urls(media))


def _publish_then_swap_the_image(blog: Blog) -> tuple[Entry, Media, Media]:
    """An entry published with one image and corrected to show another instead."""
    media, swapped_in = _upload(blog), _upload(blog, 1000)
    entry = _publish(blog, media)
    commands.entry_correct(
        entry=entry,
        body=f"Swapped.\n\n![Another view]({file_url(swapped_in.name)})",
        reason="A better photo",
        actor="editor",
    )
    return entry, media, swapped_in


def test_an_image_an_earlier_revision_of_a_live_entry_showed_stays(blog: Blog) -> None:
    """Readers can open every revision of a live entry, so its past images stay loadable."""
    _corrected, media, _ = _publish_then_swap_the_image(blog)
    retracted = _publish(blog, media, "Again.")
    commands.entry_retract(entry=retracted, reason="Duplicate", actor="editor")
    assert _status(file_url(media.name)) == 200


def test_an_image_a_correction_brought_in_is_withdrawn_with_the_entry(blog: Blog) -> None:
    entry, media, swapped_in = _publish_then_swap_the_image(blog)
    commands.entry_retract(entry=entry, reason="Wrong harbour", actor="editor")
    assert _status(file_url(swapped_in.name)) == 410
    assert _status(file_url(media.name)) == 410


def test_publishing_the_image_again_brings_it_back(blog: Blog) -> None:
    media = _upload(blog)
    commands.entry_retract(entry=_publish(blog, media), reason="Too early", actor="editor")
    assert _status(file_url(media.name)) == 410
    _publish(blog, media, "Confirmed now.")
    assert _status(file_url(media.name)) == 200


def test_the_blogs_editors_still_see_withdrawn_images_uncached(
    blog: Blog, editor, django_user_model
) -> None:
    media = _upload(blog)
    commands.entry_retract(entry=_publish(blog, media), reason="Wrong", actor="editor")
    member = Client()
    member.force_login(editor)
    response = member.get(file_url(media.name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    outsider = django_user_model.objects.create_user(username="outsider", is_staff=True)
    other = Client()
    other.force_login(outsider)
    assert other.get(file_url(media.name)).status_code == 410


def test_a_retracted_entrys_embed_thumbnail_is_withdrawn_too(blog: Blog, oembed) -> None:
    cache.clear()
    entry = commands.entry_publish(blog=blog, body=f"Video:\n\n{YOUTUBE}", actor="editor")
    thumbnail = file_url(entry.embeds[0]["thumbnail"]["name"])
    assert _status(thumbnail) == 200
    commands.entry_retract(entry=entry, reason="Fake video", actor="editor")
    assert _status(thumbnail) == 410


def test_no_public_page_feed_or_api_links_a_withdrawn_image(blog: Blog) -> None:
    media = _upload(blog)
    entry = _publish(blog, media)
    commands.entry_retract(entry=entry, reason="Wrong harbour", actor="editor")
    digests = [file["name"].split("/")[1].split(".")[0] for file in media.files]
    for path in (
        f"/blogs/{blog.slug}/",
        f"/blogs/{blog.slug}/entries/{entry.pk}/",
        f"/blogs/{blog.slug}/feed/",
        f"/blogs/{blog.slug}/updates/",
        f"/api/blogs/{blog.slug}/entries/",
        f"/api/blogs/{blog.slug}/entries/{entry.pk}/",
        f"/api/blogs/{blog.slug}/events/",
    ):
        response = Client().get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert not any(digest in text for digest in digests), path


def test_a_rebuild_withdraws_the_same_files(blog: Blog) -> None:
    media, kept = _upload(blog), _upload(blog, 1000)
    commands.entry_retract(entry=_publish(blog, media), reason="Wrong", actor="editor")
    _publish(blog, kept)
    rebuild.rebuild(blog)
    assert _status(file_url(media.name)) == 410
    assert _status(file_url(kept.name)) == 200
