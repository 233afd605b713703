"""Per-process fan-out of a blog's events to the readers connected to this process.

Plain Channels gives every reader its own channel in the blog's group, so each update costs
the channel layer one message per reader (a deep copy and a queue hand-off each, or a Redis
round trip each). Here each process joins the group once per blog with one hub channel, and
the hub hands the already-serialised JSON text to its local readers. The layer's cost per
update no longer grows with the number of readers.

The layer stays at-most-once, so the hub also checks the log now and then: if the blog moved
past the newest seq the hub has seen and the layer still has not brought it by the next
check (a message was dropped, Redis restarted), the hub reads the missing events from the
log once and hands them to its readers. It also keeps the latest events in memory, so a
reader who reconnects a little behind catches up without a query, and when many readers
need the same older events at once (a reconnect storm), it reads them from the log once for
all of them. A hub whose last reader left stays subscribed for a while: readers who drop
together (a deploy, a network blip) come back to a warm hub.

Every ``HEARTBEAT_SECONDS`` the hub hands its readers one heartbeat, serialised once for all
of them, with the newest seq it has heard of: a client that hears nothing (no event, no
heartbeat) for a while knows its socket is dead, though it looks open (``liveblog.delivery``
sends it only after the events it names).

A text in memory shows its entry as it was when the text was made, so a retraction makes
the older texts of its entry stale. Whichever way the hub learns of a retraction (the layer,
its log check, a page of the log read for a reader), it forgets those texts, remembers the
entry as retracted, and from then on withholds any text of it that does not show it
retracted, including one read from the log just before the retraction committed. Readers ask
``withholds`` before they send each text, and read such a text again from the log, where
the entry is retracted (``liveblog.delivery``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from liveblog import broadcast
from liveblog.models import Blog

logger = logging.getLogger(__name__)

#: How often a hub compares the log's newest seq with what it has delivered.
LOG_CHECK_SECONDS: float = settings.LIVEBLOG_LOG_CHECK_SECONDS
#: Pause before re-subscribing after the channel layer failed (Redis restarting, say).
RETRY_SECONDS = 1.0
#: Events a hub keeps in memory, so readers a little behind catch up without the database.
RECENT_EVENTS = 1_000
#: Events read from the log at a time, by the hub or by a reader catching up.
LOG_PAGE = 500
#: How long a hub without readers stays subscribed before it lets go of the blog.
HUB_LINGER_SECONDS = 60.0
#: How often a hub sends its readers a heartbeat (one timer per hub, not one per reader).
HEARTBEAT_SECONDS: float = settings.LIVEBLOG_HEARTBEAT_SECONDS
#: Readers handed a heartbeat between two turns of the event loop: an idle reader's starts
#: a task, and 10,000 at once would hold up an update for a tenth of a second.
BEAT_BATCH = 500


class Reader(Protocol):
    def deliver(self, seq: int, push: broadcast.Push | None) -> None:
        """Take an event (or, with push None, a nudge to read the log up to seq)."""

    def beat(self, heartbeat: broadcast.Push) -> None:
        """Take the hub's heartbeat, which says the blog has reached ``heartbeat.seq``."""


def newest_logged_seq(blog_id: int) -> int:
    """The blog's newest committed seq, from the database."""
    return Blog.objects.filter(pk=blog_id).values_list("last_seq", flat=True).first() or 0


class BlogHub:
    """The readers of one blog in this process, fed from one channel-layer subscription."""

    def __init__(self, layer: Any, blog_id: int) -> None:
        self.layer = layer
        self.blog_id = blog_id
        self.group = broadcast.group_name(blog_id)
        self.readers: set[Reader] = set()
        self.newest_seq = 0
        self._recent: dict[int, broadcast.Push] = {}
        #: Entries this hub knows to be retracted: their older texts are withheld.
        self._retracted: set[str] = set()
        self._channel: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._linger: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._log_read = asyncio.Lock()

    async def join(self, reader: Reader) -> None:
        """Add a reader; after this, ``newest_seq`` covers every event committed before."""
        async with self._lock:
            if self._linger is not None:
                self._linger.cancel()
                self._linger = None
            if not self._tasks:
                try:
                    await self._subscribe()
                    # Subscribed first: whatever commits from now on comes through the layer.
                    newest = await database_sync_to_async(newest_logged_seq)(self.blog_id)
                except BaseException:
                    await self._unsubscribe()
                    raise
                self.newest_seq = max(self.newest_seq, newest)
                self._tasks = [
                    asyncio.create_task(self._pump(), name=f"hub-pump-{self.blog_id}"),
                    asyncio.create_task(self._check_log(), name=f"hub-log-{self.blog_id}"),
                    asyncio.create_task(self._beat(), name=f"hub-beat-{self.blog_id}"),
                ]
            self.readers.add(reader)

    async def leave(self, reader: Reader) -> None:
        self.readers.discard(reader)
        if not self.readers and self._tasks and self._linger is None:
            self._linger = asyncio.create_task(
                self._unsubscribe_after(HUB_LINGER_SECONDS), name=f"hub-linger-{self.blog_id}"
            )

    async def _unsubscribe_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        async with self._lock:
            self._linger = None
            if self.readers or not self._tasks:
                return
            for task in self._tasks:
                task.cancel()
            self._tasks = []
            # A blog nobody reads here keeps no event texts in this process's memory.
            self._recent.clear()
            self._retracted.clear()
            await self._unsubscribe()

    async def _unsubscribe(self) -> None:
        channel, self._channel = self._channel, None
        if channel:
            try:
                await self.layer.group_discard(self.group, channel)
            except Exception:  # the layer may be down; its membership expires anyway
                logger.warning("Could not leave %s on the channel layer", self.group)

    async def _subscribe(self) -> None:
        self._channel = await self.layer.new_channel(prefix="liveblog-hub.")
        await self.layer.group_add(self.group, self._channel)

    def recent_after(self, after: int, until: int) -> list[broadcast.Push] | None:
        """The events after ``after`` up to ``until`` from memory, or None if any is missing."""
        if until - after > len(self._recent):
            return None
        pushes = [self._recent.get(seq) for seq in range(after + 1, until + 1)]
        if any(push is None for push in pushes):
            return None
        # None of them is None (just checked), which mypy cannot follow through any().
        return pushes  # type: ignore[return-value]

    async def events_after(self, after: int, until: int) -> list[broadcast.Push] | None:
        """The events after ``after`` up to ``until``, or None if too many to keep in memory.

        Missing ones are read from the log once, into memory, however many readers ask for
        them at the same time. None too when a text read was withheld meanwhile (a
        retraction committed during the read): the reader then reads the log itself.
        """
        if until - after > RECENT_EVENTS:
            return None
        page = self.recent_after(after, until)
        if page is not None:
            return page
        async with self._log_read:
            page = self.recent_after(after, until)
            if page is None:
                pushes = await database_sync_to_async(broadcast.log_page)(
                    self.blog_id, after, until - after
                )
                for push in pushes:
                    self._remember(push)
                page = self.recent_after(after, until)
        return page

    async def log_after(self, after: int) -> list[broadcast.Push]:
        """The next page of events after ``after`` from the log, for a reader too far behind."""
        return await database_sync_to_async(broadcast.log_page)(self.blog_id, after, LOG_PAGE)

    def withholds(self, push: broadcast.Push) -> bool:
        """Whether ``push`` shows an entry this hub knows was retracted since: never send it."""
        return not push.retracted and push.entry_id in self._retracted

    def _learn(self, push: broadcast.Push) -> None:
        """Note a retraction the text shows, and forget the entry's older texts."""
        if not push.retracted or push.entry_id in self._retracted:
            return
        # A retraction always names its entry (entry_id is optional for blog events).
        self._retracted.add(push.entry_id)  # type: ignore[arg-type]
        stale = [seq for seq, kept in self._recent.items() if self.withholds(kept)]
        for seq in stale:
            del self._recent[seq]

    def _remember(self, push: broadcast.Push) -> None:
        self._learn(push)
        if self.withholds(push):
            return
        self._recent[push.seq] = push
        if len(self._recent) > RECENT_EVENTS:
            del self._recent[min(self._recent)]

    def _fan_out(self, seq: int, push: broadcast.Push | None) -> None:
        if seq > self.newest_seq:
            self.newest_seq = seq
        if push is not None:
            self._remember(push)
        for reader in list(self.readers):
            reader.deliver(seq, push)

    async def _pump(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self._channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Channel layer failed for %s; re-subscribing", self.group)
                await asyncio.sleep(RETRY_SECONDS)
                try:
                    await self._subscribe()
                except Exception:
                    logger.warning("Re-subscribing %s failed; will retry", self.group)
                continue
            if message.get("type") == broadcast.MESSAGE_TYPE:
                self._fan_out(message["seq"], broadcast.push_of(message))
            # Let the readers' writers run before the next message: a burst from the layer
            # must not fill outboxes that are only waiting for their turn.
            await asyncio.sleep(0)

    async def _check_log(self) -> None:
        # A seq the log had at the previous check but the layer has still not brought is
        # lost, not late: only then read the log, once for this process, for all readers.
        missing_since_last_check = 0
        while True:
            await asyncio.sleep(LOG_CHECK_SECONDS)
            try:
                newest = await database_sync_to_async(newest_logged_seq)(self.blog_id)
                if missing_since_last_check > self.newest_seq:
                    await self._replay_log()
            except Exception:
                logger.warning("Could not read the log of blog %s", self.blog_id)
                continue
            missing_since_last_check = newest if newest > self.newest_seq else 0

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.beat()

    async def beat(self) -> None:
        """Hand every reader the same heartbeat, serialised once."""
        heartbeat = broadcast.heartbeat_of(self.newest_seq, HEARTBEAT_SECONDS)
        for count, reader in enumerate(list(self.readers), 1):
            reader.beat(heartbeat)
            if count % BEAT_BATCH == 0:
                # An update waits for no more than a batch (a reader that left meanwhile
                # takes nothing; one that got newer events has a seq past this one's).
                await asyncio.sleep(0)

    async def _replay_log(self) -> None:
        while True:
            page = await database_sync_to_async(broadcast.log_page)(
                self.blog_id, self.newest_seq, LOG_PAGE
            )
            for push in page:
                if push.seq > self.newest_seq:
                    self._fan_out(push.seq, push)
            if len(page) < LOG_PAGE:
                return


_hubs: dict[tuple[int, int], BlogHub] = {}


def hub_for(layer: Any, blog_id: int) -> BlogHub:
    """The hub of this blog in this process (one per event loop, since tests run several)."""
    key = (id(asyncio.get_running_loop()), blog_id)
    hub = _hubs.get(key)
    if hub is None or hub.layer is not layer:
        hub = _hubs[key] = BlogHub(layer, blog_id)
    return hub


def forget_hubs() -> None:
    """Drop every hub of this process without unsubscribing (tests start a new loop each)."""
    _hubs.clear()
