"""The output serializers' fast path shows what DRF shows, and one shape per kind of object."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework import serializers

from liveblog import commands, selectors
from liveblog.api import serializers as s
from liveblog.api.representation import IsoDateTimeField, Shape, plain
from liveblog.media import file_url
from liveblog.models import Blog, Entry, EntryRevision
from tests import samples
from tests.stories import uploaded_photo

pytestmark = pytest.mark.django_db


def _drf(serializer_class: type[serializers.Serializer], instance: Any) -> dict[str, Any]:
    """What DRF's own machinery makes of the declared fields."""
    return dict(serializers.Serializer.to_representation(serializer_class(), instance))


@pytest.fixture
def entries(blog: Blog, oembed: Any) -> list[Entry]:
    """An entry in each state: with an image and an embed, corrected and pinned, retracted."""
    photo = samples.photo(900, 600, orientation=1)
    media = uploaded_photo(blog, data=photo, filename="", alt="A wall", actor="e")
    body = f"![Wall]({file_url(media.name)})\n\nhttps://www.youtube.com/watch?v=abc"
    published = commands.entry_publish(blog=blog, body=body, actor="editor")
    corrected = commands.entry_publish(blog=blog, body="Polls close.", actor="editor")
    commands.entry_correct(entry=corrected, body="Polls closed.", reason="Tense", actor="e")
    commands.entry_pin(entry=corrected, actor="editor")
    retracted = commands.entry_publish(blog=blog, body="A rumour.", headline="Rumour", actor="e")
    commands.entry_retract(entry=retracted, reason="Unfounded", actor="editor")
    return [Entry.objects.get(pk=entry.pk) for entry in (published, corrected, retracted)]


def test_blogs_show_what_drf_shows(blog: Blog, editor: Any) -> None:
    draft = commands.blog_create(slug="draft", title="Draft", actor="editor")
    closed = commands.blog_close(blog=blog, actor="editor")
    for each in (draft, closed):
        assert plain(s.BlogSerializer)(each) == _drf(s.BlogSerializer, each)
    assert closed.coverage_end is not None
    assert s.BlogSerializer.represent(closed)["coverage_end"] == closed.coverage_end.isoformat()


def test_entries_and_revisions_show_what_drf_shows(entries: list[Entry]) -> None:
    for entry in entries:
        assert plain(s.EntrySerializer)(entry) == _drf(s.EntrySerializer, entry)
        for revision in EntryRevision.objects.filter(entry=entry):
            assert plain(s.RevisionSerializer)(revision) == _drf(s.RevisionSerializer, revision)
    rich = entries[0]
    (embed,) = rich.embeds
    assert embed["thumbnail"] is not None  # the stub answered: a card with its picture
    assert plain(s.EmbedSerializer)(embed) == _drf(s.EmbedSerializer, embed)
    (image,) = rich.media
    for file in image["files"]:
        assert plain(s.RenditionSerializer)(file) == _drf(s.RenditionSerializer, file)
    shown = s.EntrySerializer.represent(rich)["media"][0]
    assert shown["url"] == file_url(image["files"][-1]["name"])
    assert shown["width"] == image["files"][-1]["width"] == max(f["width"] for f in image["files"])


def test_times_keep_their_offset_as_stored(entries: list[Entry]) -> None:
    shown = s.EntrySerializer.represent(entries[0])
    assert shown["published_at"] == entries[0].published_at.isoformat()
    assert shown["published_at"].endswith("+00:00")


def test_a_retracted_entry_shows_its_notice_and_none_of_its_words(entries: list[Entry]) -> None:
    retracted = entries[-1]
    detail = s.EntryDetailSerializer.represent(retracted)
    assert (detail["status"], detail["retraction_reason"]) == ("retracted", "Unfounded")
    words = ("headline", "body", "body_html", "correction_reason", "media", "embeds")
    assert not any(detail[name] for name in words)
    assert "Rumour" not in str(detail) and "A rumour." not in str(detail)
    assert [revision["number"] for revision in detail["revisions"]] == [1]


def test_every_shape_shows_its_declared_fields(blog: Blog, entries: list[Entry]) -> None:
    def declared(serializer_class: type[serializers.Serializer]) -> set[str]:
        return set(serializer_class().fields)

    assert set(s.BlogSerializer.represent(blog)) == declared(s.BlogSerializer)
    for entry in entries:
        assert set(s.EntrySerializer.represent(entry)) == declared(s.EntrySerializer)
        detail = s.EntryDetailSerializer.represent(entry)
        assert set(detail) == declared(s.EntryDetailSerializer)
        for revision in detail["revisions"]:
            assert set(revision) == declared(s.RevisionSerializer)
    events = s.EventSerializer.represent_many(list(selectors.events_after(blog, 0)))
    common = declared(s.EventSerializer) - {"entry", "blog", "media"}
    assert {event["type"]: set(event) - common for event in events} == {
        "blog.created": {"blog"},
        "blog.opened": {"blog"},
        "media.uploaded": {"media"},
        "entry.published": {"entry"},
        "entry.corrected": {"entry"},
        "entry.pinned": {"entry"},
        "entry.retracted": {"entry"},
    }


class _Rendition(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()

    def get_url(self, data: dict[str, Any]) -> str:
        return f"/media/{data['name']}"


class _Picture(Shape):
    id = serializers.UUIDField()
    alt = serializers.CharField()
    taken_at = IsoDateTimeField(allow_null=True)
    renditions = _Rendition(many=True)
    widest = _Rendition(source="*")


def test_payloads_with_computed_and_nested_fields_show_what_drf_shows() -> None:
    picture = {
        "id": uuid.uuid4(),
        "alt": "A queue at the polling station",
        "taken_at": None,
        "renditions": [{"name": "a-400.jpg", "width": 400}, {"name": "a-800.jpg", "width": 800}],
        "name": "a-800.jpg",
        "width": 800,
    }
    assert plain(_Picture)(picture) == _drf(_Picture, picture)
    assert list(plain(_Picture)(picture)) == ["id", "alt", "taken_at", "renditions", "widest"]
