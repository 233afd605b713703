from __future__ import annotations

import pytest

from liveblog import events as ev
from liveblog.errors import InvalidEventError, UnknownEventTypeError


def test_every_event_type_round_trips_through_its_payload() -> None:
    samples = {
        ev.BlogCreated: {"slug": "s", "title": "T", "time_zone": "Asia/Yerevan"},
        ev.BlogDetailsChanged: {
            "title": "T",
            "description": "",
            "time_zone": "UTC",
            "coverage_start": "2023-09-19T13:00:00+04:00",
        },
        ev.EntryPublished: {"body": "Text", "headline": "H", "key_event": True},
        ev.EntryCorrected: {"body": "Text", "headline": "", "reason": "typo"},
        ev.EntryRetracted: {"reason": "unverified"},
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
