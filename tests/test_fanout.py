"""The per-process hub: recent events kept in memory, lost ones read from the log once."""

from __future__ import annotations

from liveblog import fanout


class _Reader:
    def __init__(self) -> None:
        self.got: list[tuple[int, str | None]] = []

    def deliver(self, seq: int, text: str | None) -> None:
        self.got.append((seq, text))


def test_recent_events_serve_a_catch_up_only_when_none_is_missing(monkeypatch) -> None:
    monkeypatch.setattr(fanout, "RECENT_EVENTS", 3)
    hub = fanout.BlogHub(layer=None, blog_id=1)
    reader = _Reader()
    hub.readers.add(reader)
    for seq in range(1, 6):
        hub._fan_out(seq, f"event {seq}")
    assert reader.got[-1] == (5, "event 5") and hub.newest_seq == 5
    assert hub.recent_after(2, 5) == [(3, "event 3"), (4, "event 4"), (5, "event 5")]
    assert hub.recent_after(1, 5) is None  # seq 2 was evicted: read the log instead
    hub._fan_out(7, None)  # a nudge, not an event: 6 and 7 are not in memory
    assert hub.recent_after(4, 7) is None
    assert hub.recent_after(5, 5) == []
