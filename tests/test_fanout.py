"""The per-process hub: recent events kept in memory, lost ones read from the log once."""

from __future__ import annotations

import json

from liveblog import fanout
from liveblog.broadcast import Push


class _Reader:
    def __init__(self) -> None:
        self.got: list[tuple[int, Push | None]] = []
        self.beats: list[Push] = []

    def deliver(self, seq: int, push: Push | None) -> None:
        self.got.append((seq, push))

    def beat(self, heartbeat: Push) -> None:
        self.beats.append(heartbeat)


def test_recent_events_serve_a_catch_up_only_when_none_is_missing(monkeypatch) -> None:
    monkeypatch.setattr(fanout, "RECENT_EVENTS", 3)
    hub = fanout.BlogHub(layer=None, blog_id=1)
    reader = _Reader()
    hub.readers.add(reader)
    pushes = [Push(seq, f"event {seq}") for seq in range(1, 6)]
    for push in pushes:
        hub._fan_out(push.seq, push)
    assert reader.got[-1] == (5, pushes[4]) and hub.newest_seq == 5
    assert hub.recent_after(2, 5) == pushes[2:5]
    assert hub.recent_after(1, 5) is None  # seq 2 was evicted: read the log instead
    hub._fan_out(7, None)  # a nudge, not an event: 6 and 7 are not in memory
    assert hub.recent_after(4, 7) is None
    assert hub.recent_after(5, 5) == []


def test_a_retraction_makes_the_hub_forget_and_withhold_its_entry_s_older_texts() -> None:
    hub = fanout.BlogHub(layer=None, blog_id=1)
    published = Push(1, "published: the withdrawn words", "a")
    corrected = Push(2, "corrected: the withdrawn words, reworded", "a")
    other = Push(3, "another entry", "b")
    retracted = Push(4, "retracted: only the notice", "a", retracted=True)
    for push in (published, corrected, other, retracted):
        hub._fan_out(push.seq, push)

    assert hub.recent_after(0, 4) is None  # the stale texts are gone: the log has them
    assert hub.recent_after(2, 4) == [other, retracted]
    assert hub.withholds(published) and hub.withholds(corrected)
    assert not hub.withholds(other) and not hub.withholds(retracted)
    # A page of the log read just before the retraction committed is not taken back in,
    # while the same events read afterwards (showing the entry retracted) are.
    hub._remember(published)
    assert 1 not in hub._recent
    hub._remember(published._replace(text="published, now retracted", retracted=True))
    assert hub._recent[1].retracted


async def test_every_reader_hears_one_heartbeat_with_the_newest_seq(monkeypatch) -> None:
    monkeypatch.setattr(fanout, "HEARTBEAT_SECONDS", 12.5)
    monkeypatch.setattr(fanout, "BEAT_BATCH", 2)
    hub = fanout.BlogHub(layer=None, blog_id=1)
    readers = [_Reader() for _ in range(5)]
    hub.readers.update(readers)
    hub._fan_out(7, Push(7, "event 7"))
    await hub.beat()
    beats = [reader.beats for reader in readers]
    assert all(len(got) == 1 and got[0] is beats[0][0] for got in beats)  # serialised once
    assert beats[0][0].seq == 7
    assert json.loads(beats[0][0].text) == {"type": "heartbeat", "last_seq": 7, "interval": 12.5}
