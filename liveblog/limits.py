"""ASGI guards in front of the app: request body size and WebSocket connections per address.

Both refuse work before Django or a consumer spends anything on it. Django itself checks
``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a view reads ``request.body`` or a form; its ASGI
handler first spools any body to disk, and DRF's JSON parser reads the stream without the
check, so a multi-gigabyte POST would be accepted. Counting WebSocket connections per client
address keeps one host from taking every socket of a process.

Counts are per process: with ``--workers N`` one address may hold N times the limit. The
address is ``liveblog.clients.client_address``: behind the proxies that
``LIVEBLOG_TRUSTED_PROXIES`` names, the reader's, not the proxy's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings

from liveblog.clients import client_address
from liveblog.events import MAX_BODY_LENGTH

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Open WebSocket connections one client address may hold in one process.
DEFAULT_WS_MAX_PER_IP = 200
#: Seconds a refused reader is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30
#: A refused body up to this many times the limit is read to its end before the answer...
LINGER_FACTOR = 2
#: ...for at most this long.
LINGER_SECONDS = 1.0


#: The one route that takes files, and what a multipart form adds around the file.
_UPLOAD_PATH = re.compile(r"/api/blogs/[-\w]+/media/")
MULTIPART_OVERHEAD = 64 * 1024


def body_limit(scope: Scope) -> int | None:
    """The largest body a request may send: an image upload's is LIVEBLOG_MEDIA_MAX_BYTES."""
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and _UPLOAD_PATH.fullmatch(scope.get("path", "")):
        return int(settings.LIVEBLOG_MEDIA_MAX_BYTES) + MULTIPART_OVERHEAD
    return limit


class _BodyTooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value
    return None


class RequestBodyLimit:
    """Answer 413 to an HTTP request whose body exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

    A declared Content-Length is checked before anything is read; a chunked body is counted
    as it arrives and cut off at the limit. Image uploads have their own limit (see
    ``body_limit``). ``DATA_UPLOAD_MAX_MEMORY_SIZE = None`` turns the guard off.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope)
        if scope["type"] != "http" or limit is None:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse_http(scope, send, 400, "invalid", "Content-Length is not a number.")
                return
            length = int(declared)
            if length > limit:
                # A client that sent "Expect: 100-continue" waits for our answer before sending
                # the body; others are already sending it, and a body a little too large is
                # read and dropped first so that they get to read the answer.
                if _header(scope, b"expect") is None and length <= LINGER_FACTOR * limit:
                    await _discard(receive, budget=length)
                await _refuse_too_large(scope, send, limit)
                return
        received = 0
        body_finished = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, body_finished
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_finished = not message.get("more_body", False)
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Mapping[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                if not body_finished:
                    await _discard(receive, budget=(LINGER_FACTOR - 1) * limit)
                await _refuse_too_large(scope, send, limit)


async def _discard(receive: Receive, *, budget: int) -> None:
    """Read and drop what is left of a refused body: up to ``budget`` bytes, for a second.

    Closing a connection with unread data makes the kernel reset it, and a client still
    sending may then lose the answer before reading it.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_SECONDS):
            while budget > 0:
                message = await receive()
                if message["type"] != "http.request":
                    return
                budget -= len(message.get("body", b""))
                if not message.get("more_body", False):
                    return


async def _refuse_too_large(scope: Scope, send: Send, limit: int) -> None:
    advice = (
        f"Images are limited to {settings.LIVEBLOG_MEDIA_MAX_BYTES:,} bytes: export a smaller JPEG."
        if _UPLOAD_PATH.fullmatch(scope.get("path", ""))
        else f"An entry's text is limited to {MAX_BODY_LENGTH:,} characters: split it into "
        "several updates."
    )
    await _refuse_http(
        scope,
        send,
        413,
        "too_large",
        f"The request body is larger than the {limit:,} bytes this server accepts. {advice}",
    )


async def _refuse_http(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """Answer in the API's error shape under /api/, in plain text elsewhere."""
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"message": message, "code": code, "errors": {}}).encode()
        content_type = b"application/json"
    else:
        body = message.encode()
        content_type = b"text/plain; charset=utf-8"
    logger.info(
        "Refused %s %s from %s with %s: %s",
        scope.get("method"),
        scope.get("path"),
        client_address(scope),
        status,
        code,
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The unread body may still be arriving; do not reuse the connection.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class WebSocketConnectionLimit:
    """Refuse a WebSocket handshake when its address already holds too many connections.

    The limit is ``settings.LIVEBLOG_WS_MAX_PER_IP`` (read at each handshake, so tests can
    change it), or ``max_per_ip`` when given. A refused client gets HTTP 429 where the server
    supports the denial-response extension (uvicorn does), and 403 otherwise.
    """

    def __init__(self, app: App, *, max_per_ip: int | None = None) -> None:
        self.app = app
        self.max_per_ip = max_per_ip
        self.open: Counter[str] = Counter()

    def limit(self) -> int:
        if self.max_per_ip is not None:
            return self.max_per_ip
        return getattr(settings, "LIVEBLOG_WS_MAX_PER_IP", DEFAULT_WS_MAX_PER_IP)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        if self.open[address] >= self.limit():
            await self._refuse(scope, receive, send, address)
            return
        self.open[address] += 1
        try:
            connection = self.app(scope, receive, send)
            # This frame lives as long as the connection: it keeps the address, not the
            # scope and its headers, which the server has let go of (liveblog.wsprotocol).
            del scope
            await connection
        finally:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        logger.warning(
            "Refused a WebSocket from %s: it already holds %s connections to this process",
            address,
            self.open[address],
        )
        message = await receive()
        if message["type"] != "websocket.connect":
            return  # the client left before its handshake was answered
        if "websocket.http.response" not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1008})
            return
        body = (
            f"Too many live connections from {address}; close some tabs or wait "
            f"{RETRY_AFTER_SECONDS} seconds."
        ).encode()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
