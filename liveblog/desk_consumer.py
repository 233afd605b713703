"""The desk's live channel: ``/ws/desk/<slug>/``, for the blog's members only.

An open desk (or correction form) hears of every event the blog's commands commit, the
desk's private ones included (``liveblog.broadcast.send_desk_notice``), and re-reads what it
shows; and it tells the other open desks who is there and what they are doing: *presence*.

Presence is not in the log: each socket says what its member is doing (``viewing`` the desk,
``writing`` a new update, ``correcting`` or ``retracting`` an entry) and repeats it every
``HEARTBEAT_SECONDS``; the others drop a colleague not heard from for ``PRESENCE_TIMEOUT_SECONDS``
(a closed laptop, a killed process), or at once when the socket closes. All of it travels as
group messages on the channel layer, so with Redis it spans the server's processes.

The socket is authenticated by the admin's session (``AuthMiddlewareStack`` on this route
only) and, like the readers', accepted only from the site's own pages (``config.asgi``).

Messages to the client (JSON):
    {"kind": "hello", "id": <this socket's id>, "heartbeat": s, "timeout": s}
    {"kind": "events", "events": [{"seq", "type", "entry_id", "actor"}, ...]}
        (``type`` null: many events at once, re-read everything)
    {"kind": "presence", "id", "user", "name", "doing", "entry"}
    {"kind": "left", "id"}
From the client: {"doing": "viewing" | "writing" | "correcting" | "retracting", "entry": id?}

Close codes:
    4400  a frame that is not one of the messages above
    4401  not signed in
    4404  no such blog, or not one of its members (as the admin answers 404)
"""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from liveblog import access, broadcast, bylines
from liveblog.models import Blog

CLOSE_BAD_MESSAGE = 4400
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_FOUND = 4404

#: How often an open desk repeats what its member is doing.
HEARTBEAT_SECONDS = 10
#: A colleague not heard from for this long has gone (their tab closed without a goodbye).
PRESENCE_TIMEOUT_SECONDS = 30
#: How often a socket checks again that its user is still a member (on a heartbeat).
MEMBERSHIP_CHECK_SECONDS = 60.0

DOINGS = frozenset({"viewing", "writing", "correcting", "retracting"})
#: Longest entry id a client may name (a UUID's text is 36).
MAX_ENTRY_ID = 64
PRESENCE_TYPE = "desk.presence"
LEFT_TYPE = "desk.left"
HELLO_TYPE = "desk.hello"


def _member_blog(user: access.User, slug: str) -> tuple[int, str] | None:
    """The blog's id and the user's display name, if the user is one of its members."""
    blog_id = Blog.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if user is None or blog_id is None or not access.is_member(user, blog_id):
        return None
    return blog_id, bylines.of_user(user).name or user.get_username()


class DeskConsumer(AsyncWebsocketConsumer):
    group: str | None = None
    blog_id: int | None = None
    doing = "viewing"
    entry: str | None = None
    checked_at = 0.0

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_NOT_SIGNED_IN)
            return
        found = await database_sync_to_async(_member_blog)(
            user, self.scope["url_route"]["kwargs"]["slug"]
        )
        if found is None:
            await self._refuse(CLOSE_NOT_FOUND)
            return
        self.blog_id, self.name = found
        self.username = user.get_username()
        self.checked_at = time.monotonic()
        self.group = broadcast.desk_group_name(self.blog_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_json(
            {
                "kind": "hello",
                "id": self.channel_name,
                "heartbeat": HEARTBEAT_SECONDS,
                "timeout": PRESENCE_TIMEOUT_SECONDS,
            }
        )
        # Say who we are, and ask the desks already open to say who they are.
        await self.channel_layer.group_send(self.group, self._presence(HELLO_TYPE))

    async def _refuse(self, code: int) -> None:
        # Accept first so the close code reaches the client (a refused handshake has none).
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.group is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.channel_layer.group_send(
            self.group, {"type": LEFT_TYPE, "id": self.channel_name}
        )
        self.group = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        said = _presence_said(text_data)
        if said is None or self.group is None:
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        if time.monotonic() - self.checked_at > MEMBERSHIP_CHECK_SECONDS:
            # Taken off the blog, or no longer staff: the desk closes at the next heartbeat.
            self.checked_at = time.monotonic()
            user = self.scope["user"]
            if not await database_sync_to_async(access.is_member)(user, self.blog_id):
                await self.close(code=CLOSE_NOT_FOUND)
                return
        self.doing, self.entry = said
        await self.channel_layer.group_send(self.group, self._presence(PRESENCE_TYPE))

    def _presence(self, message_type: str) -> dict[str, Any]:
        return {
            "type": message_type,
            "id": self.channel_name,
            "user": self.username,
            "name": self.name,
            "doing": self.doing,
            "entry": self.entry,
        }

    # --- group messages ---------------------------------------------------------------

    async def desk_event(self, message: dict[str, Any]) -> None:
        await self._send_json({"kind": "events", "events": message["events"]})

    async def desk_presence(self, message: dict[str, Any]) -> None:
        await self._send_json({"kind": "presence", **_shown(message)})

    async def desk_hello(self, message: dict[str, Any]) -> None:
        await self.desk_presence(message)
        if message["id"] != self.channel_name:
            # A desk just opened: tell it (only it) who we are and what we are doing.
            await self.channel_layer.send(message["id"], self._presence(PRESENCE_TYPE))

    async def desk_left(self, message: dict[str, Any]) -> None:
        await self._send_json({"kind": "left", "id": message["id"]})

    async def _send_json(self, data: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(data, ensure_ascii=False))


def _shown(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in ("id", "user", "name", "doing", "entry")}


def _presence_said(text: str | None) -> tuple[str, str | None] | None:
    """What the client says it is doing, or None for anything else."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("doing") not in DOINGS:
        return None
    entry = data.get("entry")
    if entry is not None and (not isinstance(entry, str) or len(entry) > MAX_ENTRY_ID):
        return None
    return data["doing"], entry
