"""One reader's deliveries, driven with plain asyncio: a fake socket, a fake hub and its log."""

from __future__ import annotations

import asyncio

import pytest

from liveblog import delivery
from liveblog.broadcast import Push
from liveblog.delivery import Delivery, Phase

WITHDRAWN = "the withdrawn words"


class FakeSocket:
    """Records the texts sent; while ``gate`` is closed, a send waits (a slow reader)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.sent = asyncio.Condition()
        self.gate = asyncio.Event()
        self.gate.set()
        self.sending = asyncio.Event()
        self.dropped = False

    async def send_text(self, text: str) -> None:
        self.sending.set()
        await self.gate.wait()
        async with self.sent:
            self.texts.append(text)
            self.sent.notify_all()

    async def drop(self) -> None:
        self.dropped = True

    @property
    def seqs(self) -> list[int]:
        """The seqs of the events sent (heartbeats are JSON, events ``seq:body``)."""
        return [int(text.split(":")[0]) for text in self.texts if not text.startswith("{")]

    async def received(self, count: int) -> list[int]:
        """The seqs sent, once there are ``count`` of them and nothing more comes."""
        async with asyncio.timeout(2), self.sent:
            await self.sent.wait_for(lambda: len(self.texts) >= count)
        await _settle()
        return self.seqs


class FakeHub:
    """A blog's hub: its log, the events it holds in memory, and what it withholds."""

    blog_id = 1

    def __init__(self, *, page: int = 3) -> None:
        self.page = page
        self.log: dict[int, Push] = {}
        self.memory: dict[int, Push] = {}
        self.retracted: set[str] = set()
        self.log_reads: list[int] = []
        self.readers: list[Delivery] = []

    @property
    def newest_seq(self) -> int:
        return max(self.log, default=0)

    def commit(
        self, body: str = "news", *, entry: str | None = None, retracted: bool = False
    ) -> Push:
        """Append an event to the log (and to memory, as the hub hears of it)."""
        seq = self.newest_seq + 1
        push = Push(seq, f"{seq}:{body}", entry, retracted)
        self.log[seq] = self.memory[seq] = push
        if retracted and entry is not None:
            self.retract(entry)
        return push

    def retract(self, entry: str) -> None:
        """The entry's texts now show only its notice, in the log; memory forgets the others."""
        self.retracted.add(entry)
        for seq, push in list(self.log.items()):
            if push.entry_id == entry and not push.retracted:
                self.log[seq] = push._replace(text=f"{seq}:retracted", retracted=True)
                self.memory.pop(seq, None)

    def fan_out(self, seq: int, push: Push | None) -> None:
        for reader in self.readers:
            reader.deliver(seq, push)

    def publish(
        self, body: str = "news", *, entry: str | None = None, retracted: bool = False
    ) -> Push:
        """Commit an event and hand it to the readers, as the channel layer brings it."""
        push = self.commit(body, entry=entry, retracted=retracted)
        self.fan_out(push.seq, push)
        return push

    async def events_after(self, after: int, until: int) -> list[Push] | None:
        await asyncio.sleep(0)  # the real hub may wait for the log
        pushes = [self.memory.get(seq) for seq in range(after + 1, until + 1)]
        if any(push is None for push in pushes):
            return None
        # None of them is None (just checked), which mypy cannot follow through any().
        return pushes  # type: ignore[return-value]

    async def log_after(self, after: int) -> list[Push]:
        await asyncio.sleep(0)  # a database thread
        self.log_reads.append(after)
        return [self.log[seq] for seq in sorted(self.log) if seq > after][: self.page]

    def withholds(self, push: Push) -> bool:
        return not push.retracted and push.entry_id in self.retracted


def _reader(hub: FakeHub, *, after: int | None = None) -> tuple[Delivery, FakeSocket]:
    """A reader whose socket just opened, as the consumer starts one."""
    socket = FakeSocket()
    reader = Delivery(socket, hub)
    hub.readers.append(reader)
    reader.start(after=after, newest=hub.newest_seq)
    return reader, socket


def _forgetful_hub(events: int) -> FakeHub:
    """A hub whose log holds ``events`` events its memory has let go: a reader reads the log."""
    hub = FakeHub()
    for _ in range(events):
        hub.commit()
    hub.memory.clear()
    return hub


def _joined(hub: FakeHub) -> tuple[Delivery, FakeSocket]:
    """A reader who joined the hub, its socket not open yet, whose sends wait for its gate."""
    socket = FakeSocket()
    socket.gate.clear()
    reader = Delivery(socket, hub)
    hub.readers.append(reader)
    return reader, socket


async def _sending(socket: FakeSocket) -> None:
    """Wait until the reader is busy sending its first message."""
    async with asyncio.timeout(2):
        await socket.sending.wait()


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_each_next_event_is_sent_once_and_duplicates_are_skipped() -> None:
    hub = FakeHub()
    hub.commit()
    hub.commit()
    _, socket = _reader(hub)
    three = hub.publish()
    hub.fan_out(3, three)  # the same message twice (from the layer and the log check)
    hub.fan_out(2, hub.log[2])  # and an old one
    four = hub.publish()
    await _settle()
    hub.fan_out(3, three)  # and once more, when it has been sent
    assert await socket.received(2) == [3, 4]
    assert socket.texts == [three.text, four.text]
    assert hub.log_reads == []


async def test_a_gap_is_filled_from_the_hub_s_memory_in_order() -> None:
    hub = FakeHub()
    _, socket = _reader(hub)
    hub.commit()
    hub.commit()  # both lost by the channel layer
    hub.publish()
    assert await socket.received(3) == [1, 2, 3]
    assert hub.log_reads == []


async def test_a_nudge_reads_the_log_a_page_at_a_time_up_to_its_seq() -> None:
    hub = FakeHub(page=3)
    reader, socket = _reader(hub)
    for _ in range(7):
        hub.commit()
    hub.memory.clear()  # an import: more events than one commit broadcasts
    hub.fan_out(7, None)
    assert await socket.received(7) == [1, 2, 3, 4, 5, 6, 7]
    assert hub.log_reads == [0, 3, 6]
    assert reader.phase is Phase.LIVE
    hub.publish()
    assert await socket.received(8) == list(range(1, 9))


async def test_a_catch_up_ends_where_the_log_ends_and_the_missing_event_comes_live() -> None:
    hub = FakeHub()
    reader, socket = _reader(hub)
    hub.commit()
    hub.memory.clear()
    hub.fan_out(2, None)  # the hub heard of seq 2 before it was committed
    assert await socket.received(1) == [1]
    assert reader.phase is Phase.LIVE
    hub.publish()
    assert await socket.received(2) == [1, 2]


async def test_a_reader_coming_back_catches_up_from_memory_or_else_the_log() -> None:
    hub = FakeHub()
    for _ in range(5):
        hub.commit()
    _, from_memory = _reader(hub, after=2)
    assert await from_memory.received(3) == [3, 4, 5]
    assert hub.log_reads == []
    del hub.memory[1]
    _, from_log = _reader(hub, after=0)
    assert await from_log.received(5) == [1, 2, 3, 4, 5]
    assert hub.log_reads == [0]  # the first page; the rest was still in memory


@pytest.mark.parametrize("after", [None, 1])
async def test_events_during_the_handshake_are_sent_once_after_the_replay(after) -> None:
    hub = FakeHub()
    hub.commit()
    hub.commit()
    socket = FakeSocket()
    reader = Delivery(socket, hub)
    hub.readers.append(reader)  # joined the hub
    newest = hub.newest_seq
    hub.publish()  # while the socket is being accepted
    hub.publish()
    assert socket.texts == []
    reader.start(after=after, newest=newest)
    expected = [3, 4] if after is None else [2, 3, 4]
    assert await socket.received(len(expected)) == expected


async def test_events_arriving_during_a_catch_up_follow_it_in_order() -> None:
    hub = _forgetful_hub(5)
    reader, socket = _joined(hub)
    reader.start(after=0, newest=hub.newest_seq)
    await _sending(socket)  # busy sending the first page
    hub.publish()
    hub.fan_out(6, hub.log[6])
    hub.publish()
    assert reader.phase is Phase.CATCHING_UP
    socket.gate.set()
    assert await socket.received(7) == [1, 2, 3, 4, 5, 6, 7]
    assert reader.phase is Phase.LIVE


async def test_a_queued_text_whose_entry_is_retracted_meanwhile_is_read_again() -> None:
    hub = FakeHub()
    reader, socket = _joined(hub)
    reader.start(after=None, newest=0)
    hub.publish("before")
    await _sending(socket)  # a reader busy with an earlier message
    hub.publish(WITHDRAWN, entry="a")
    hub.publish(f"{WITHDRAWN}, corrected", entry="a")
    hub.publish("the notice", entry="a", retracted=True)
    socket.gate.set()
    assert await socket.received(4) == [1, 2, 3, 4]
    assert not any(WITHDRAWN in text for text in socket.texts)
    assert socket.texts[1:3] == ["2:retracted", "3:retracted"]


async def test_a_catch_up_page_read_just_before_a_retraction_is_not_sent_after_it() -> None:
    hub = FakeHub()
    hub.commit(WITHDRAWN, entry="a")
    hub.commit("another entry", entry="b")
    hub.memory.clear()
    real_log_after = hub.log_after

    async def read_then_the_retraction_commits(after: int) -> list[Push]:
        page = await real_log_after(after)  # the entry still published when read...
        if 3 not in hub.log:
            hub.publish("the notice", entry="a", retracted=True)  # ...and retracted since
        return page

    # Replaced for this test: the retraction commits while the log is being read.
    hub.log_after = read_then_the_retraction_commits  # type: ignore[method-assign]
    _, socket = _reader(hub, after=0)
    assert await socket.received(3) == [1, 2, 3]
    assert socket.texts[0] == "1:retracted"


async def test_a_slow_reader_is_dropped_without_holding_up_the_others(monkeypatch) -> None:
    monkeypatch.setattr(delivery, "OUTBOX_SIZE", 2)
    hub = FakeHub()
    slow, slow_socket = _reader(hub)
    slow_socket.gate.clear()  # never reads
    _, fast_socket = _reader(hub)
    for _ in range(5):
        hub.publish()
        await _settle()
    assert await fast_socket.received(5) == [1, 2, 3, 4, 5]
    assert slow_socket.dropped
    assert slow.phase is Phase.CLOSED
    hub.publish()  # a dropped reader takes nothing more
    assert await fast_socket.received(6) == [1, 2, 3, 4, 5, 6]
    slow_socket.gate.set()
    await _settle()
    assert slow_socket.seqs == [1]  # the one it was sending when it was dropped


async def test_a_reader_who_leaves_during_a_catch_up_is_sent_nothing_more() -> None:
    hub = FakeHub()
    for _ in range(5):
        hub.commit()
    reader, socket = _joined(hub)
    reader.start(after=0, newest=hub.newest_seq)
    await _sending(socket)
    reader.stop()
    socket.gate.set()
    hub.publish()
    await _settle()
    assert socket.texts == []
    assert reader.phase is Phase.CLOSED
    assert hub.log_reads == []


async def test_a_send_that_fails_drops_the_reader(caplog) -> None:
    hub = FakeHub()
    reader, socket = _reader(hub)

    async def broken(text: str) -> None:
        raise ConnectionResetError("the client went away")

    # Replaced for this test: a socket whose client went away.
    socket.send_text = broken  # type: ignore[method-assign]
    hub.publish()
    await _settle()
    assert socket.dropped and reader.phase is Phase.CLOSED
    assert "Sending to a reader of blog 1 failed" in caplog.text


def _heartbeat(seq: int) -> Push:
    return Push(seq, f'{{"type":"heartbeat","last_seq":{seq}}}')


async def test_an_idle_reader_hears_each_heartbeat_and_keeps_no_sender_between_them() -> None:
    hub = FakeHub()
    hub.commit()
    reader, socket = _reader(hub)
    for _ in range(2):
        reader.beat(_heartbeat(1))
        await _settle()
    assert socket.texts == [_heartbeat(1).text] * 2
    assert reader._sender is None  # an idle socket's memory: no task waits for the next one
    three = hub.publish()
    await _settle()
    assert socket.texts[-1] == three.text


async def test_a_heartbeat_follows_the_events_queued_before_it() -> None:
    hub = FakeHub()
    reader, socket = _reader(hub)
    socket.gate.clear()
    first = hub.publish()
    await _sending(socket)  # busy sending the first event
    second = hub.publish()
    reader.beat(_heartbeat(2))
    third = hub.publish()
    socket.gate.set()
    async with asyncio.timeout(2), socket.sent:
        await socket.sent.wait_for(lambda: len(socket.texts) == 4)
    assert socket.texts == [first.text, second.text, _heartbeat(2).text, third.text]


async def test_a_heartbeat_sent_while_it_is_being_sent_is_followed_by_the_event() -> None:
    hub = FakeHub()
    reader, socket = _reader(hub)
    socket.gate.clear()
    reader.beat(_heartbeat(0))
    await _sending(socket)  # the heartbeat's own sender, busy
    event = hub.publish()
    socket.gate.set()
    async with asyncio.timeout(2), socket.sent:
        await socket.sent.wait_for(lambda: len(socket.texts) == 2)
    assert socket.texts == [_heartbeat(0).text, event.text]
    await _settle()
    later = hub.publish()  # the heartbeat's sender has ended: the next event starts one
    assert await socket.received(3) == [1, 2]  # the heartbeat's text has no seq of its own
    assert socket.texts[-1] == later.text


async def test_a_reader_catching_up_hears_no_heartbeat_naming_a_seq_it_lacks() -> None:
    hub = _forgetful_hub(5)
    reader, socket = _joined(hub)
    reader.beat(_heartbeat(5))  # during the handshake
    reader.start(after=0, newest=hub.newest_seq)
    await _sending(socket)
    reader.beat(_heartbeat(5))  # while catching up
    socket.gate.set()
    assert await socket.received(5) == [1, 2, 3, 4, 5]
    reader.beat(_heartbeat(5))  # caught up
    await _settle()
    assert socket.texts[5:] == [_heartbeat(5).text]
