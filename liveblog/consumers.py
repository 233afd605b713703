"""The readers' push channel: ``/ws/blogs/<slug>/?after=<seq>``.

On connect the consumer joins the blog's group, then replays the log after ``after`` (if
given), then forwards live events. It remembers the last seq it sent: a duplicate is
skipped, and a gap (the channel layer is at-most-once) is filled from the log, so a reader
sees every event exactly once, in order.

Close codes (documented in the README):
    4400  ``after`` is not a whole number >= 0
    4403  readers cannot write: the client sent a frame
    4404  no public blog with that slug (unknown or draft)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from liveblog import broadcast, selectors
from liveblog.models import Blog

CLOSE_BAD_REQUEST = 4400
CLOSE_READ_ONLY = 4403
CLOSE_NOT_FOUND = 4404
CATCH_UP_PAGE = 500


def _public_blog(slug: str) -> tuple[int, int] | None:
    blog = Blog.objects.filter(slug=slug).exclude(status=Blog.Status.DRAFT).first()
    return (blog.pk, blog.last_seq) if blog else None


def _log_page(blog_id: int, after: int) -> list[dict[str, Any]]:
    return selectors.events_as_dicts(
        list(selectors.events_after(blog_id, after, limit=CATCH_UP_PAGE))
    )


def _last_seq(blog_id: int) -> int:
    return Blog.objects.filter(pk=blog_id).values_list("last_seq", flat=True).get()


class BlogConsumer(AsyncWebsocketConsumer):
    blog_id: int | None = None
    group: str | None = None
    last_sent: int = 0

    async def connect(self) -> None:
        after = self._after()
        found = None
        if after is not False:
            slug = self.scope["url_route"]["kwargs"]["slug"]
            found = await database_sync_to_async(_public_blog)(slug)
        if found is None:
            # Accept first so the close code reaches the client (a refused handshake has none).
            await self.accept()
            await self.close(code=CLOSE_BAD_REQUEST if after is False else CLOSE_NOT_FOUND)
            return
        self.blog_id = found[0]
        self.group = broadcast.group_name(self.blog_id)
        # Join first, then read: anything committed meanwhile waits in our queue and is
        # de-duplicated by seq, so nothing falls between the replay and the live stream.
        await self.channel_layer.group_add(self.group, self.channel_name)
        if after is None:
            # Everything committed once the handshake completes is delivered.
            self.last_sent = await database_sync_to_async(_last_seq)(self.blog_id)
            await self.accept()
        else:
            self.last_sent = after
            await self.accept()
            await self._catch_up()

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
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.close(code=CLOSE_READ_ONLY)

    async def blog_event(self, message: dict[str, Any]) -> None:
        """A group message: forward it, skip it as a duplicate, or fill a gap from the log."""
        seq = message["seq"]
        if seq <= self.last_sent:
            return
        if seq == self.last_sent + 1 and message.get("event") is not None:
            await self._send_event(message["event"])
            return
        await self._catch_up(until=seq)

    async def _catch_up(self, until: int | None = None) -> None:
        while True:
            page = await database_sync_to_async(_log_page)(self.blog_id, self.last_sent)
            for event in page:
                await self._send_event(event)
            if len(page) < CATCH_UP_PAGE or (until is not None and self.last_sent >= until):
                return

    async def _send_event(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(event, separators=(",", ":")))
        self.last_sent = event["seq"]
