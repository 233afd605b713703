from __future__ import annotations

from typing import Any

import pytest

from liveblog import events as ev
from liveblog.errors import InvalidEventError, UnknownEventTypeError

_FILE = {"name": "ab/" + "a" * 64 + ".jpg", "width": 480, "height": 320, "size": 20_000}
_MEDIA = {
    "id": "0b0c5a3e-8a3c-4a43-9a43-2f1d0c2f9a10",
    "alt": "Flooded harbour",
    "caption": "",
    "credit": "",
    "content_type": "image/jpeg",
    "files": [_FILE],
}


def test_every_event_type_round_trips_through_its_payload() -> None:
    samples: dict[type[ev.DomainEvent], dict[str, Any]] = {
        ev.BlogCreated: {"slug": "s", "title": "T", "time_zone": "Asia/Yerevan"},
        ev.BlogRenamed: {"slug": "s2"},
        ev.BlogDetailsChanged: {
            "title": "T",
            "description": "",
            "time_zone": "UTC",
            "coverage_start": "2023-09-19T13:00:00+04:00",
        },
        ev.EntryPublished: {"body": "Text", "headline": "H", "key_event": True},
        ev.EntryCorrected: {"body": "Text", "headline": "", "reason": "typo"},
        ev.EntryRetracted: {"reason": "unverified"},
        ev.MediaUploaded: {
            "media_id": "0b0c5a3e-8a3c-4a43-9a43-2f1d0c2f9a10",
            "alt": "Flooded harbour",
            "content_type": "image/jpeg",
            "files": [_FILE],
        },
        ev.BlogLabelsChanged: {"labels": ["Breaking", "Fact check"]},
        ev.EntryLabelsChanged: {"labels": ["Official"]},
        ev.DeskDrafted: {"body": "Draft", "author": "Ana", "author_location": "Yerevan"},
        ev.DeskSubmitted: {"body": "From the field", "labels": ["Breaking"]},
        ev.DeskScheduled: {"body": "Later", "publish_at": "2030-01-01T14:00:00+04:00"},
        ev.DeskRevised: {"body": "Changed", "occurred_at": "2024-05-01T10:00:00+00:00"},
        ev.DeskScheduleChanged: {"publish_at": None},
        ev.DeskReturned: {"note": "Which village?"},
    }
    for type_name, cls in ev.EVENT_TYPES.items():
        event = cls(**samples.get(cls, {}))
        assert ev.decode(type_name, cls.VERSION, event.to_payload()) == event


@pytest.mark.parametrize(
    ("cls", "payload", "field"),
    [
        (ev.EntryPublished, {"body": "   "}, "body"),
        (ev.EntryPublished, {"body": "x" * (ev.MAX_BODY_LENGTH + 1)}, "body"),
        (ev.EntryPublished, {"body": "x", "pinned": "yes"}, "pinned"),
        (ev.EntryCorrected, {"body": "x", "headline": "", "reason": ""}, "reason"),
        (ev.EntryRetracted, {"reason": " "}, "reason"),
        (ev.BlogCreated, {"slug": "s", "title": "T", "time_zone": "Mars/Olympus"}, "time_zone"),
        (
            ev.BlogDetailsChanged,
            {"title": "T", "description": "", "time_zone": "UTC", "coverage_end": "yesterday"},
            "coverage_end",
        ),
    ],
)
def test_invalid_payloads_are_refused_naming_the_field(cls, payload, field) -> None:
    with pytest.raises(InvalidEventError) as caught:
        cls(**payload)
    assert caught.value.field == field


def test_unknown_fields_and_types_in_the_log_are_reported() -> None:
    with pytest.raises(InvalidEventError, match="unknown fields"):
        ev.decode("entry.retracted", 1, {"reason": "x", "colour": "red"})
    with pytest.raises(UnknownEventTypeError):
        ev.decode("entry.teleported", 1, {})


def test_old_payload_versions_are_upcast_when_read(monkeypatch) -> None:
    # Pretend entry.retracted moved to version 2, where 'reason' used to be 'why'.
    monkeypatch.setattr(ev.EntryRetracted, "VERSION", 2)
    monkeypatch.setitem(ev.UPCASTERS, ("entry.retracted", 1), lambda p: {"reason": p["why"]})
    assert ev.decode("entry.retracted", 1, {"why": "wrong"}) == ev.EntryRetracted(reason="wrong")
    with pytest.raises(InvalidEventError, match="newer than this code"):
        ev.decode("entry.retracted", 3, {"reason": "x"})


def test_control_characters_are_refused_with_their_position() -> None:
    with pytest.raises(InvalidEventError, match=r"U\+0000\) at position 3"):
        ev.EntryPublished(body="ab\x00c")
    assert ev.EntryPublished(body="line\n\tindented\r\n").body


def test_coverage_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidEventError, match="end before it starts"):
        ev.BlogDetailsChanged(
            title="T",
            description="",
            time_zone="UTC",
            coverage_start="2023-09-20T10:00:00+00:00",
            coverage_end="2023-09-19T10:00:00+00:00",
        )


DIRECTION_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize("char", DIRECTION_CONTROLS)
@pytest.mark.parametrize(
    ("cls", "payload", "field"),
    [
        (ev.BlogCreated, {"slug": "s", "title": "T{}"}, "title"),
        (ev.BlogCreated, {"slug": "s{}", "title": "T"}, "slug"),
        (
            ev.BlogDetailsChanged,
            {"title": "T", "description": "D{}", "time_zone": "UTC"},
            "description",
        ),
        (ev.BlogRenamed, {"slug": "s{}"}, "slug"),
        (ev.EntryPublished, {"body": "B", "headline": "H{}"}, "headline"),
        (ev.EntryPublished, {"body": "B{}"}, "body"),
        (ev.EntryCorrected, {"body": "B", "headline": "", "reason": "R{}"}, "reason"),
        (ev.EntryRetracted, {"reason": "R{}"}, "reason"),
    ],
)
def test_text_direction_controls_are_refused_naming_the_field(cls, payload, field, char) -> None:
    spoofed = {name: value.format(f"{char}cod.exe") for name, value in payload.items()}
    with pytest.raises(InvalidEventError) as caught:
        cls(**spoofed)
    assert caught.value.field == field
    assert f"(U+{ord(char):04X})" in caught.value.message or field == "slug"


def test_the_marks_that_only_hint_a_direction_are_kept() -> None:
    # LRM and RLM (U+200E, U+200F) reorder nothing around them; mixed-direction text uses them.
    assert ev.EntryPublished(body="\u05e9\u05dc\u05d5\u05dd\u200e (Reuters)").body


def test_a_stored_event_is_read_back_under_the_rules_of_its_day() -> None:
    old = {"body": "Written before direction controls were refused: \u202eexe.doc"}
    with pytest.raises(InvalidEventError):
        ev.decode("entry.published", 1, old)  # a new event, or a file being imported
    assert ev.decode("entry.published", 1, old, check=False) == ev.EntryPublished.from_payload(
        old, check=False
    )
    assert ev.decode("blog.created", 1, {"slug": "Old name 20/9", "title": "T"}, check=False)
    with pytest.raises(InvalidEventError, match="'body' is missing"):
        ev.decode("entry.published", 1, {"headline": "no body"}, check=False)


def test_entry_published_version_1_is_read_with_no_author() -> None:
    event = ev.decode(
        "entry.published", 1, {"body": "Text", "headline": "", "key_event": False, "pinned": False}
    )
    assert event == ev.EntryPublished(body="Text", author="")


@pytest.mark.parametrize("author", [None, 5, "x" * 201, "Ana\x07"])
def test_an_author_that_is_not_a_short_display_name_is_refused(author: object) -> None:
    with pytest.raises(InvalidEventError):
        # Wrong types on purpose: the event must refuse what its annotations exclude.
        ev.EntryPublished(body="Text", author=author)  # type: ignore[arg-type]


def test_entry_events_of_version_1_read_as_entries_without_media_or_embeds() -> None:
    published = ev.decode("entry.published", 1, {"body": "Polls close", "headline": ""})
    assert published == ev.EntryPublished(body="Polls close", media=[], embeds=[])
    corrected = ev.decode("entry.corrected", 1, {"body": "b", "headline": "", "reason": "r"})
    assert isinstance(corrected, ev.EntryCorrected)
    assert (corrected.media, corrected.embeds) == ([], [])
    with_author = ev.decode("entry.published", 2, {"body": "b", "author": "Ana"})
    assert with_author == ev.EntryPublished(body="b", author="Ana", media=[], embeds=[])
    assert (ev.EntryPublished.VERSION, ev.EntryCorrected.VERSION) == (4, 2)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"media": [{**_MEDIA, "files": [{**_FILE, "name": "../../etc/passwd"}]}]}, "file name"),
        ({"media": [{**_MEDIA, "alt": " "}]}, "cannot be empty"),
        ({"media": [{**_MEDIA, "content_type": "image/svg+xml"}]}, "accepted image type"),
        ({"media": [{key: _MEDIA[key] for key in ("id", "alt")}]}, "must be an object"),
        ({"embeds": [{"url": "javascript:alert(1)"}]}, "must be an object"),
    ],
)
def test_media_and_embeds_in_entry_events_are_checked(payload, message) -> None:
    with pytest.raises(InvalidEventError, match=message):
        ev.EntryPublished(body="Text", **payload)


def test_an_embed_must_point_at_an_http_address() -> None:
    embed = {
        "url": "javascript:alert(1)",
        "provider": "X",
        "provider_url": "",
        "kind": "rich",
        "title": "",
        "author": "",
        "author_url": "",
        "thumbnail": None,
        "html": "",
    }
    with pytest.raises(InvalidEventError, match="http"):
        ev.EntryPublished(body="Text", embeds=[embed])
    assert ev.EntryPublished(body="Text", embeds=[{**embed, "url": "https://x.com/a/status/1"}])


def test_an_unchecked_read_fills_in_list_fields_left_out() -> None:
    event = ev.EntryPublished.from_payload({"body": "Text"}, check=False)
    assert (event.media, event.embeds) == ([], [])
    assert event.media is not ev.EntryPublished.from_payload({"body": "x"}, check=False).media


def test_a_version_3_publication_s_author_becomes_the_byline_s_name() -> None:
    stored = {"body": "b", "headline": "", "author": "Reuters", "media": [], "embeds": []}
    read = ev.decode("entry.published", 3, stored)
    assert isinstance(read, ev.EntryPublished)
    assert (read.author, read.author_role, read.author_location, read.labels) == (
        "Reuters",
        "",
        "",
        [],
    )


def test_a_blog_created_before_labels_offers_none() -> None:
    read = ev.decode("blog.created", 1, {"slug": "s", "title": "T"})
    assert isinstance(read, ev.BlogCreated) and read.labels == []


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["Breaking", "breaking"], "twice"),
        ([" Breaking"], "space"),
        ([""], "empty"),
        (["x" * 41], "limit"),
        ("Breaking", "list"),
    ],
)
def test_labels_are_checked(labels: object, message: str) -> None:
    with pytest.raises(InvalidEventError, match=message) as refused:
        # Wrong types on purpose: the event must refuse what its annotations exclude.
        ev.BlogLabelsChanged(labels=labels)  # type: ignore[arg-type]
    assert refused.value.field == "labels"


def test_only_the_desk_s_events_are_private() -> None:
    private = {name for name, cls in ev.EVENT_TYPES.items() if cls.PRIVATE}
    assert private == {name for name in ev.EVENT_TYPES if name.startswith("desk.")}
    assert ev.PUBLIC_TYPES.isdisjoint(private)
