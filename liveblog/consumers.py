"""The readers' push channel: ``/ws/blogs/<slug>/?after=<seq>``.

A reader joins its blog's hub in this process (``liveblog.fanout``), then gets the log after
``after`` (if given), then live events. It remembers the last seq it queued: a duplicate is
skipped and a gap (the channel layer is at-most-once) is filled from the log, so a reader
sees every event exactly once, in order. Each reader has a bounded outbox written by its own
task, so a slow reader never holds up the others; one whose outbox overflows is closed and
catches up when it reconnects with ``after``.

Close codes (documented in the README):
    4400  ``after`` is not a whole number >= 0, or is beyond the blog's newest event
    4403  readers cannot write: the client sent a frame
    4404  no public blog with that slug (unknown or draft)
    4408  the reader fell too far behind; reconnect with ``after=<last seq>``
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from liveblog import broadcast, fanout
from liveblog.models import Blog

logger = logging.getLogger(__name__)

CLOSE_BAD_REQUEST = 4400
CLOSE_READ_ONLY = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408
CATCH_UP_PAGE = 500
#: Live messages a reader may have waiting before it counts as too slow.
OUTBOX_SIZE = 256


def _public_blog(slug: str) -> tuple[int, int] | None:
    blog = Blog.objects.filter(slug=slug).exclude(status=Blog.Status.DRAFT).first()
    return (blog.pk, blog.last_seq) if blog else None


class BlogConsumer(AsyncWebsocketConsumer):
    blog_id: int | None = None
    hub: fanout.BlogHub | None = None
    last_queued: int = 0

    async def connect(self) -> None:
        after = self._after()
        found = None
        if after is not False:
            found = await database_sync_to_async(_public_blog)(
                self.scope["url_route"]["kwargs"]["slug"]
            )
        if found is None:
            # Accept first so the close code reaches the client (a refused handshake has none).
            await self.accept()
            await self.close(code=CLOSE_BAD_REQUEST if after is False else CLOSE_NOT_FOUND)
            return
        self.blog_id, newest = found
        if after is not None and after > newest:
            # A seq this blog never reached: the client's state is from elsewhere; reload.
            await self.accept()
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        self.outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self.catching_up = False
        self.closing = False
        # Until the handshake is done, deliver() only notes how far the blog has gone.
        self.ready = False
        self.last_queued = newest if after is None else after
        self.wanted_seq = newest
        # Join, then accept, then read the log after last_queued up to everything seen
        # meanwhile: nothing falls between the replay and the live stream, nothing twice.
        self.hub = fanout.hub_for(self.channel_layer, self.blog_id)
        await self.hub.join(self)
        await self.accept()
        self.writer = asyncio.create_task(self._write())
        self.ready = True
        if self.wanted_seq > self.last_queued:
            self._start_catch_up()

    def _after(self) -> int | bool | None:
        """The ``after`` query parameter: None when absent, False when malformed."""
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("after")
        if not values:
            return None
        value = values[-1]
        if not value.isdigit() or len(value) > 18:
            return False
        return int(value)

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.hub is not None:
            await self.hub.leave(self)
        for name in ("writer", "catch_up_task"):
            task = getattr(self, name, None)
            if task is not None:
                task.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.close(code=CLOSE_READ_ONLY)

    # --- delivery -------------------------------------------------------------------

    def deliver(self, seq: int, text: str | None) -> None:
        """Called by the hub for every event of the blog (text None: read it from the log)."""
        if seq <= self.last_queued or self.closing:
            return
        if not self.ready:
            self.wanted_seq = max(self.wanted_seq, seq)
            return
        if self.catching_up or text is None or seq != self.last_queued + 1:
            self.wanted_seq = max(self.wanted_seq, seq)
            self._start_catch_up()
            return
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self._drop_slow_reader()
            return
        self.last_queued = seq

    def _start_catch_up(self) -> None:
        if not self.catching_up:
            self.catching_up = True
            self.catch_up_task = asyncio.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        """Queue the log after last_queued until we hold everything the hub has seen."""
        try:
            while not self.closing:
                page = self.hub.recent_after(self.last_queued, self.wanted_seq)
                from_memory = page is not None
                if page is None:
                    page = await database_sync_to_async(broadcast.log_page)(
                        self.blog_id, self.last_queued, CATCH_UP_PAGE
                    )
                for seq, text in page:
                    await self.outbox.put(text)  # back-pressure: wait for the writer
                    self.last_queued = seq
                if from_memory:
                    if self.last_queued >= self.wanted_seq:
                        return
                    continue
                if len(page) < CATCH_UP_PAGE and self.last_queued >= self.wanted_seq:
                    return
                if not page:
                    return  # the hub saw a seq that is not committed yet; it will come again
        except Exception:
            logger.exception("Catch-up of blog %s failed; closing the reader", self.blog_id)
            await self.close(code=CLOSE_TOO_SLOW)
        finally:
            self.catching_up = False

    async def _write(self) -> None:
        while True:
            text = await self.outbox.get()
            await self.send(text_data=text)

    def _drop_slow_reader(self) -> None:
        self.closing = True
        logger.info("Dropping a reader of blog %s whose outbox is full", self.blog_id)
        asyncio.get_running_loop().create_task(self.close(code=CLOSE_TOO_SLOW))
