"""One reader's deliveries: what to do with each event of its blog, and when to send what.

A reader must see every event once, in order, and never a text withheld since it was made.
Its hub (``liveblog.fanout``) hands it each event of the blog, or a nudge (no text: read the
log up to this seq). The delivery remembers the last seq it queued: a duplicate is skipped, the
next event is queued, and a gap or a nudge starts a catch-up, which reads what is missing from
the hub's memory or the log, a page at a time, up to the newest seq heard of meanwhile. Before
sending any text it asks the hub whether the text was withheld since (its entry retracted);
if so, it reads that part again, where the entry shows only its notice.

A delivery is in one ``Phase`` at a time: HANDSHAKE, then LIVE or CATCHING_UP, until CLOSED.
A reader whose outbox is full is too slow: it is dropped, and catches up when it reconnects
with ``after``, without holding up the others.

This module knows neither Channels nor Django: it talks to the socket and the hub through the
two small protocols below. ``liveblog.consumers`` adapts it to a WebSocket; the tests drive it
with plain asyncio and fakes. Speed (see BENCHMARKS.md): ``deliver`` runs for every reader of
a blog on every update, so it only queues; one sender task per reader, started with its first
message, sleeps on a future between messages, where a task per delivery would start one per
reader and update. An idle reader holds no outbox, task or future yet, nor between the hub's
heartbeats: the sender started for one ends once it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections import deque
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from liveblog.broadcast import Push

logger = logging.getLogger(__name__)

#: Live messages a reader may have waiting before it counts as too slow.
OUTBOX_SIZE = 256


class Socket(Protocol):
    """The reader's end of the connection (the consumer, in the server)."""

    def send_text(self, text: str) -> Awaitable[None]:
        """Send one message; a slow reader makes this wait."""

    def drop(self) -> Awaitable[None]:
        """Close the connection of a reader who fell behind (it reconnects with ``after``)."""


class Source(Protocol):
    """Where a reader's events come from: its blog's hub in this process."""

    blog_id: int

    def events_after(self, after: int, until: int) -> Awaitable[list[Push] | None]:
        """The events after ``after`` up to ``until`` from memory, or None: read the log."""

    def log_after(self, after: int) -> Awaitable[list[Push]]:
        """The next page of events after ``after``, read from the log."""

    def withholds(self, push: Push) -> bool:
        """Whether ``push``'s text was withheld since it was made: never send it."""


class Phase(enum.Enum):
    #: Joined the hub, the socket not open yet: only note how far the blog went.
    HANDSHAKE = "handshake"
    #: Queue each next event; a gap or a nudge starts a catch-up.
    LIVE = "live"
    #: Read what is missing from the hub's memory or the log, up to ``wanted_seq``.
    CATCHING_UP = "catching up"
    #: Left or dropped: take nothing more.
    CLOSED = "closed"


# Read for every reader on every update: on Python 3.11 ``Phase.LIVE`` costs more than a
# module global (BENCHMARKS.md, "Speed tricks").
_HANDSHAKE = Phase.HANDSHAKE
_LIVE = Phase.LIVE
_CATCHING_UP = Phase.CATCHING_UP
_CLOSED = Phase.CLOSED


class Delivery:
    """Deliver a blog's events to one reader through ``socket``, exactly once and in order."""

    # A process holds thousands of these: no instance dictionary.
    __slots__ = (
        "_closer",
        "_outbox",
        "_sender",
        "_socket",
        "_source",
        "_wakeup",
        "last_queued",
        "phase",
        "wanted_seq",
    )

    def __init__(self, socket: Socket, source: Source) -> None:
        self.phase = _HANDSHAKE
        #: The seq of the last event queued or sent to this reader.
        self.last_queued = 0
        #: The newest seq this reader has heard of: a catch-up reads up to here.
        self.wanted_seq = 0
        self._socket = socket
        self._source = source
        self._outbox: deque[Push] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Future[None] | None = None
        #: The task closing a reader that fell behind. The loop holds tasks only weakly, so
        #: an unreferenced one may be collected before it has closed anything.
        self._closer: asyncio.Task[None] | None = None

    def start(self, *, after: int | None, newest: int) -> None:
        """The socket is open: send the events after ``after`` (None: from now on).

        ``newest`` is the newest seq the blog had reached when the reader joined its hub;
        events handed over since then count too.
        """
        if self.phase is not _HANDSHAKE:
            return
        self.last_queued = newest if after is None else after
        self.wanted_seq = max(self.wanted_seq, newest)
        if self.wanted_seq > self.last_queued:
            self.phase = _CATCHING_UP
            self._start_sender()
        else:
            self.phase = _LIVE

    def stop(self) -> None:
        """The reader left: send nothing more."""
        self.phase = _CLOSED
        if self._sender is not None:
            self._sender.cancel()

    def deliver(self, seq: int, push: Push | None) -> None:
        """Take an event from the hub (push None: a nudge to read the log up to ``seq``)."""
        if seq <= self.last_queued:
            return  # a duplicate
        phase = self.phase
        if phase is _LIVE and push is not None and seq == self.last_queued + 1:
            outbox = self._outbox
            if outbox is None:
                outbox = self._outbox = deque()
            elif len(outbox) >= OUTBOX_SIZE:
                self._drop_slow_reader()
                return
            outbox.append(push)
            self.last_queued = seq
            self._wake_sender()
            return
        if phase is _CLOSED:
            return
        if seq > self.wanted_seq:
            self.wanted_seq = seq
        if phase is _HANDSHAKE:
            return  # start() decides where the reader begins
        # A gap (the channel layer is at-most-once), a nudge, or more while catching up.
        self.phase = _CATCHING_UP
        self._wake_sender()

    def beat(self, heartbeat: Push) -> None:
        """Send the hub's heartbeat after what is queued, if this reader has its seq already.

        A reader catching up hears its events instead: a heartbeat sent before them would
        name a seq the client has not got yet, as if it had missed it.
        """
        if self.phase is not _LIVE or self.last_queued < heartbeat.seq:
            return
        if self._sender is None:
            # An idle reader: a sender for the heartbeat alone, which ends once it is sent.
            self._sender = asyncio.get_running_loop().create_task(self._send_pending(heartbeat))
            return
        outbox = self._outbox
        if outbox is None:
            outbox = self._outbox = deque()
        elif len(outbox) >= OUTBOX_SIZE:
            return  # too slow already: the next event drops it
        outbox.append(heartbeat)
        self._wake_sender()

    # --- the sender -----------------------------------------------------------------------

    def _start_sender(self) -> None:
        self._sender = asyncio.get_running_loop().create_task(self._send_pending())

    def _wake_sender(self) -> None:
        wakeup = self._wakeup
        if wakeup is None:
            if self._sender is None:
                self._start_sender()
        elif not wakeup.done():
            wakeup.set_result(None)

    async def _send_pending(self, heartbeat: Push | None = None) -> None:
        """Send the outbox, then catch up to ``wanted_seq``; then wait for more.

        Started for a ``heartbeat``, it sends that first and ends once nothing is left, so a
        reader who hears only heartbeats holds no task between them.
        """
        loop = asyncio.get_running_loop()
        try:
            if heartbeat is not None:
                await self._socket.send_text(heartbeat.text)
            while self.phase is not _CLOSED:
                if self._outbox:
                    push = self._outbox.popleft()
                    if self._source.withholds(push):
                        self._read_again_from(push.seq)
                        continue
                    await self._socket.send_text(push.text)
                elif self.phase is _CATCHING_UP:
                    await self._catch_up_page()
                elif heartbeat is not None:
                    break
                else:
                    self._wakeup = loop.create_future()
                    await self._wakeup
                    self._wakeup = None
        except Exception:
            logger.exception(
                "Sending to a reader of blog %s failed; closing it", self._source.blog_id
            )
            self.phase = _CLOSED
            await self._drop_quietly()
        finally:
            self._sender = None

    def _read_again_from(self, seq: int) -> None:
        """Drop what is queued from ``seq`` on and catch up from there instead."""
        self.wanted_seq = max(self.wanted_seq, self.last_queued)
        if self._outbox is not None:
            self._outbox.clear()
        self.last_queued = seq - 1
        self.phase = _CATCHING_UP

    async def _catch_up_page(self) -> None:
        """Send the next events after ``last_queued``, from the hub's memory or the log."""
        if self.last_queued >= self.wanted_seq:
            self._caught_up()
            return
        page = await self._source.events_after(self.last_queued, self.wanted_seq)
        if page is None:
            page = await self._source.log_after(self.last_queued)
            if not page:
                # The hub heard of a seq that is not committed yet; it will come again.
                self._caught_up()
                return
        for push in page:
            if push.seq > self.last_queued and self.phase is not _CLOSED:
                if self._source.withholds(push):
                    return  # read before the retraction came: the next page reads it again
                await self._socket.send_text(push.text)
                self.last_queued = push.seq

    def _caught_up(self) -> None:
        if self.phase is _CATCHING_UP:
            self.phase = _LIVE

    def _drop_slow_reader(self) -> None:
        self.phase = _CLOSED
        logger.info("Dropping a reader of blog %s whose outbox is full", self._source.blog_id)
        self._closer = asyncio.get_running_loop().create_task(self._drop_quietly())

    async def _drop_quietly(self) -> None:
        with contextlib.suppress(Exception):  # the connection may be gone already
            await self._socket.drop()
