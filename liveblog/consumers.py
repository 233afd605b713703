"""The readers' push channel: ``/ws/blogs/<slug>/?after=<seq>``.

A reader joins its blog's hub in this process (``liveblog.fanout``), then gets the log after
``after`` (if given), then live events. It remembers the last seq it queued: a duplicate is
skipped and a gap (the channel layer is at-most-once) is filled from the log, so a reader
sees every event exactly once, in order. Each reader has a bounded outbox and its own sender
task, so a slow reader never holds up the others; one whose outbox overflows is closed and
catches up when it reconnects with ``after``. The sender sleeps on a future between
messages rather than being started per message: a task per delivery was a thousand tasks
per update, and the garbage they left made full collections frequent enough to hold up
pushes.

A reader has no channel of its own on the channel layer: the hub is the only subscriber, so
a connection costs the layer nothing (on Redis, no SUBSCRIBE per reader).

Before sending any text, queued or caught up, a reader asks its hub whether the text was
withheld since it was made (its entry retracted meanwhile, see ``liveblog.fanout``); if so,
it reads that part again, from the hub or the log, where the entry shows only its notice.

Close codes (documented in the README):
    4400  ``after`` is not a whole number >= 0, or is beyond the blog's newest event
    4403  readers cannot write: the client sent a frame
    4404  no public blog with that slug (unknown or draft)
    4408  the reader fell too far behind; reconnect with ``after=<last seq>``
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from liveblog import broadcast, fanout
from liveblog.models import Blog
from liveblog.params import whole_number

logger = logging.getLogger(__name__)

CLOSE_BAD_REQUEST = 4400
CLOSE_READ_ONLY = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408
CATCH_UP_PAGE = 500
#: Live messages a reader may have waiting before it counts as too slow.
OUTBOX_SIZE = 256
#: Slugs remembered by ``_public_blog_ids`` before it starts over.
KNOWN_BLOGS = 10_000

#: slug -> id of the public blogs this process has served, so a handshake costs no query.
#: A blog keeps its slug and, once open, never returns to draft, so an entry cannot go stale;
#: unknown and draft slugs are not remembered.
_public_blog_ids: dict[str, int] = {}


def _public_blog_id(slug: str) -> int | None:
    return (
        Blog.objects.filter(slug=slug)
        .exclude(status=Blog.Status.DRAFT)
        .values_list("pk", flat=True)
        .first()
    )


def forget_known_blogs() -> None:
    """Empty the slug cache (tests recreate blogs with the same slugs)."""
    _public_blog_ids.clear()


class BlogConsumer(AsyncWebsocketConsumer):
    # No channel per reader: the hub holds this process's one subscription per blog.
    channel_layer_alias = None  # type: ignore[assignment]

    blog_id: int | None = None
    hub: fanout.BlogHub | None = None
    last_queued: int = 0
    sender: asyncio.Task[None] | None = None
    #: The task closing a reader that fell behind. The loop holds tasks only weakly, so an
    #: unreferenced one may be collected before it has closed anything.
    closer: asyncio.Task[None] | None = None
    wakeup: asyncio.Future[None] | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first closes stale database connections in a thread, on
        # every message. This consumer reaches the database only through
        # database_sync_to_async, which closes the thread's connection before and after each
        # call (on PostgreSQL: gives it back to the pool), so a handshake for a known blog
        # stays on the event loop and no connection is held between messages.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        after = self._after()
        if after is False:
            await self._refuse(CLOSE_BAD_REQUEST)
            return
        blog_id = await self._find_blog(self.scope["url_route"]["kwargs"]["slug"])
        if blog_id is None:
            await self._refuse(CLOSE_NOT_FOUND)
            return
        self.blog_id = blog_id
        self.outbox: deque[broadcast.Push] = deque()
        self.catching_up = False
        self.closing = False
        # Until the handshake is done, deliver() only notes how far the blog has gone.
        self.ready = False
        self.wanted_seq = 0
        # Join, then accept, then read the log after last_queued up to everything seen
        # meanwhile: nothing falls between the replay and the live stream, nothing twice.
        self.hub = fanout.hub_for(get_channel_layer(), blog_id)
        await self.hub.join(self)
        try:
            newest = max(self.hub.newest_seq, self.wanted_seq)
            if after is not None and after > newest:
                # The hub may not have heard of the newest events yet; the log decides.
                logged = await database_sync_to_async(fanout.newest_logged_seq)(blog_id)
                newest = max(newest, logged)
                if after > newest:
                    # A seq this blog never reached: the client's state is from elsewhere.
                    await self._leave_hub()
                    await self._refuse(CLOSE_BAD_REQUEST)
                    return
            self.last_queued = newest if after is None else after
            # Events the hub handed over while we waited count too.
            self.wanted_seq = max(self.wanted_seq, newest)
        except BaseException:
            # disconnect() does not run for a handshake that failed.
            await self._leave_hub()
            raise
        await self.accept()
        self.ready = True
        self.catching_up = self.wanted_seq > self.last_queued
        self.sender = asyncio.create_task(self._send_pending())

    async def _find_blog(self, slug: str) -> int | None:
        blog_id = _public_blog_ids.get(slug)
        if blog_id is None:
            blog_id = await database_sync_to_async(_public_blog_id)(slug)
            if blog_id is not None:
                if len(_public_blog_ids) >= KNOWN_BLOGS:
                    _public_blog_ids.clear()
                _public_blog_ids[slug] = blog_id
        return blog_id

    async def _refuse(self, code: int) -> None:
        # Accept first so the close code reaches the client (a refused handshake has none).
        await self.accept()
        await self.close(code=code)

    def _after(self) -> int | bool | None:
        """The ``after`` query parameter: None when absent, False when malformed."""
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("after")
        if not values:
            return None
        after = whole_number(values[-1])
        return False if after is None else after

    async def _leave_hub(self) -> None:
        hub, self.hub = self.hub, None
        if hub is not None:
            await hub.leave(self)

    async def disconnect(self, code: int) -> None:
        self.closing = True
        await self._leave_hub()
        if self.sender is not None:
            self.sender.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.close(code=CLOSE_READ_ONLY)

    # --- delivery -------------------------------------------------------------------

    def deliver(self, seq: int, push: broadcast.Push | None) -> None:
        """Called by the hub for every event of the blog (push None: read it from the log)."""
        if seq <= self.last_queued or self.closing:
            return
        if not self.ready:
            self.wanted_seq = max(self.wanted_seq, seq)
            return
        if self.catching_up or push is None or seq != self.last_queued + 1:
            self.wanted_seq = max(self.wanted_seq, seq)
            self._start_catch_up()
            return
        if len(self.outbox) >= OUTBOX_SIZE:
            self._drop_slow_reader()
            return
        self.outbox.append(push)
        self.last_queued = seq
        self._wake_sender()

    def _withheld(self, push: broadcast.Push) -> bool:
        return self.hub is not None and self.hub.withholds(push)

    def _read_again_from(self, seq: int) -> None:
        """Drop what is queued from ``seq`` on and catch up from there instead."""
        self.wanted_seq = max(self.wanted_seq, self.last_queued)
        self.outbox.clear()
        self.last_queued = seq - 1
        self.catching_up = True

    def _start_catch_up(self) -> None:
        self.catching_up = True
        self._wake_sender()

    def _wake_sender(self) -> None:
        if self.wakeup is not None and not self.wakeup.done():
            self.wakeup.set_result(None)

    def _send_text(self, text: str) -> Awaitable[None]:
        # Straight to the server: Channels' send() only builds this message, through two
        # more coroutines, for each of a thousand readers per update.
        return self.base_send({"type": "websocket.send", "text": text})

    async def _send_pending(self) -> None:
        """Send the outbox, then the log up to ``wanted_seq``; then wait for more."""
        loop = asyncio.get_running_loop()
        try:
            while not self.closing:
                if self.outbox:
                    push = self.outbox.popleft()
                    if self._withheld(push):
                        self._read_again_from(push.seq)
                        continue
                    await self._send_text(push.text)
                elif self.catching_up:
                    await self._catch_up_page()
                else:
                    self.wakeup = loop.create_future()
                    await self.wakeup
                    self.wakeup = None
        except Exception:
            logger.exception("Sending to a reader of blog %s failed; closing it", self.blog_id)
            self.closing = True
            await self._close_quietly(CLOSE_TOO_SLOW)
        finally:
            self.sender = None

    async def _catch_up_page(self) -> None:
        """Send the next events after last_queued, from the hub's memory or the log."""
        if self.last_queued >= self.wanted_seq:
            self.catching_up = False
            return
        page = await self.hub.events_after(self.last_queued, self.wanted_seq)
        if page is None:
            page = await database_sync_to_async(broadcast.log_page)(
                self.blog_id, self.last_queued, CATCH_UP_PAGE
            )
            if not page:
                # The hub saw a seq that is not committed yet; it will come again.
                self.catching_up = False
                return
        for push in page:
            if push.seq > self.last_queued and not self.closing:
                if self._withheld(push):
                    return  # read after the retraction came: the next page reads it again
                await self._send_text(push.text)
                self.last_queued = push.seq

    def _drop_slow_reader(self) -> None:
        self.closing = True
        logger.info("Dropping a reader of blog %s whose outbox is full", self.blog_id)
        self.closer = asyncio.get_running_loop().create_task(self._close_quietly(CLOSE_TOO_SLOW))

    async def _close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):  # the connection may be gone already
            await self.close(code=code)
