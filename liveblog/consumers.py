"""The readers' push channel: ``/ws/blogs/<slug>/?after=<seq>``.

A reader joins its blog's hub in this process (``liveblog.fanout``), then gets the log after
``after`` (if given), then live events. What to send when (duplicates, gaps, catch-up, slow
readers, withheld texts) is ``liveblog.delivery``'s: this consumer checks the handshake and
adapts a ``Delivery`` to the socket.

A reader has no channel of its own on the channel layer: the hub is the only subscriber, so
a connection costs the layer nothing (on Redis, no SUBSCRIBE per reader). Nor does it wait on
the layer: it reads the socket in the task the server gave it, and hands texts straight to
the server's ``send`` (see ``__call__`` and ``send_text``; figures in BENCHMARKS.md).

Close codes (documented in the README):
    4400  ``after`` is not a whole number >= 0, or is beyond the blog's newest event
    4403  readers cannot write: the client sent a frame
    4404  no public blog with that slug (unknown or draft)
    4408  the reader fell too far behind; reconnect with ``after=<last seq>``
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from liveblog import fanout
from liveblog.delivery import Delivery
from liveblog.limits import Receive, Scope, Send
from liveblog.models import Blog
from liveblog.params import whole_number
from liveblog.passthrough import passes_through

CLOSE_BAD_REQUEST = 4400
CLOSE_READ_ONLY = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_SLOW = 4408
#: Slugs remembered by ``_public_blog_ids`` before it starts over.
KNOWN_BLOGS = 10_000

#: slug -> id of the public blogs this process has served, so a handshake costs no query.
#: A blog keeps its slug and, once open, never returns to draft, so an entry cannot go stale;
#: unknown and draft slugs are not remembered.
_public_blog_ids: dict[str, int] = {}


#: A reader's scope once its handshake is over: nothing of it is read after that.
_HANDSHAKE_DONE: Scope = {}


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
    channel_layer_alias = None
    # Channels gives each consumer a list of groups to join; a reader joins none.
    groups = ()

    hub: fanout.BlogHub | None = None
    delivery: Delivery | None = None

    @passes_through
    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Channels' own __call__ waits for the socket in a task of its own, beside the
        # channel layer, through asyncio.wait: a task, futures and a set per reader for a
        # reader that has only the socket to wait for (BENCHMARKS.md, "Speed tricks").
        # And no frame keeps the scope: the handshake reads it, then lets it go.
        self.scope = scope
        self.base_send = send
        return self._serve(receive)

    async def _serve(self, receive: Receive) -> None:
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass  # disconnected

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

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        try:
            await super().websocket_connect(message)
        finally:
            # Its copy of the scope (with the route) is all the handshake needed: an idle
            # reader does not keep it (BENCHMARKS.md, "Memory per idle WebSocket").
            self.scope = _HANDSHAKE_DONE

    async def connect(self) -> None:
        after = self._after()
        if after is False:
            await self._refuse(CLOSE_BAD_REQUEST)
            return
        blog_id = await self._find_blog(self.scope["url_route"]["kwargs"]["slug"])
        if blog_id is None:
            await self._refuse(CLOSE_NOT_FOUND)
            return
        # Join, then accept, then read the log after ``after`` up to everything seen
        # meanwhile: nothing falls between the replay and the live stream, nothing twice.
        hub = self.hub = fanout.hub_for(get_channel_layer(), blog_id)
        delivery = self.delivery = Delivery(self, hub)
        await hub.join(delivery)
        try:
            newest = hub.newest_seq
            if after is not None and after > newest:
                # The hub may not have heard of the newest events yet; the log decides.
                logged = await database_sync_to_async(fanout.newest_logged_seq)(blog_id)
                newest = max(newest, logged)
                if after > newest:
                    # A seq this blog never reached: the client's state is from elsewhere.
                    await self._leave_hub()
                    await self._refuse(CLOSE_BAD_REQUEST)
                    return
        except BaseException:
            # disconnect() does not run for a handshake that failed.
            await self._leave_hub()
            raise
        await self.accept()
        delivery.start(after=after, newest=newest)

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
        if hub is not None and self.delivery is not None:
            await hub.leave(self.delivery)

    async def disconnect(self, code: int) -> None:
        if self.delivery is not None:
            self.delivery.stop()
        await self._leave_hub()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.close(code=CLOSE_READ_ONLY)

    # --- the socket, as the delivery sees it ----------------------------------------------

    def send_text(self, text: str) -> Awaitable[None]:
        # Straight to the server: Channels' send() only builds this message, through two
        # more coroutines, for each of a thousand readers per update.
        return self.base_send({"type": "websocket.send", "text": text})

    def drop(self) -> Awaitable[None]:
        return self.close(code=CLOSE_TOO_SLOW)
