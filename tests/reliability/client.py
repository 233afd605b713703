"""A reader as the promise describes one: it follows a blog, and when its connection drops it
reconnects (to the next server, with backoff) with ``?after=<last seq>``. It records every seq
it receives, duplicates included, so a test can assert "all of them, once, in order".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import time
from collections.abc import Sequence

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Origin

from liveblog import broadcast, consumers

#: Close codes after which reconnecting cannot help; the reader stops.
FATAL_CLOSE_CODES = {
    consumers.CLOSE_BAD_REQUEST,
    consumers.CLOSE_READ_ONLY,
    consumers.CLOSE_NOT_FOUND,
}


class Reader:
    """Follow one blog across a list of servers (``http://127.0.0.1:PORT`` each)."""

    def __init__(
        self,
        servers: Sequence[str],
        slug: str,
        *,
        after: int | None = 0,
        name: str = "reader",
        max_queue: int = 64,
        receive_buffer: int | None = None,
    ) -> None:
        self.servers = list(servers)
        self.slug = slug
        self.name = name
        self.initial_after = after
        self.max_queue = max_queue
        self.receive_buffer = receive_buffer
        #: Every seq received, in arrival order, duplicates included.
        self.seqs: list[int] = []
        self.types: list[str] = []
        self.highest = after or 0
        #: How each connection ended: a close code, an HTTP status ("http 429") or an error.
        self.endings: list[str] = []
        #: Which server each successful connection went to.
        self.connected_to: list[str] = []
        self.connected = asyncio.Event()
        self.reading = asyncio.Event()
        self.reading.set()
        self.stopped_for: str | None = None
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._socket: ClientConnection | None = None

    @property
    def last_seq(self) -> int | None:
        return self.seqs[-1] if self.seqs else self.initial_after

    def start(self) -> Reader:
        self._task = asyncio.create_task(self._run(), name=self.name)
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._socket.close(), 2)

    def pause(self) -> None:
        """Stop reading: the socket's buffers fill and the server sees a reader that stalled."""
        self.reading.clear()

    def resume(self) -> None:
        self.reading.set()

    async def wait_for_seq(self, seq: int, within: float) -> bool:
        """Wait until this reader has seen ``seq`` (or stopped for good); False on timeout."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(
                        lambda: self.highest >= seq or self.stopped_for is not None
                    ),
                    within,
                )
            except TimeoutError:
                return False
        return self.highest >= seq

    async def _record(self, seq: int, kind: str) -> None:
        async with self._changed:
            self.seqs.append(seq)
            self.types.append(kind)
            self.highest = max(self.highest, seq)
            self._changed.notify_all()

    async def _end(self, why: str, *, fatal: bool = False) -> None:
        async with self._changed:
            self.endings.append(why)
            if fatal:
                self.stopped_for = why
            self._changed.notify_all()

    def _url(self, server: str) -> str:
        after = self.last_seq
        query = "" if after is None else f"?after={after}"
        return f"{server.replace('http://', 'ws://')}/ws/blogs/{self.slug}/{query}"

    def _open_socket(self, server: str) -> socket.socket | None:
        if self.receive_buffer is None:
            return None
        host, port = server.removeprefix("http://").split(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connecting, so the TCP window is small from the start.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        sock.settimeout(5)
        sock.connect((host, int(port)))
        sock.setblocking(False)
        return sock

    async def _run(self) -> None:
        backoff = 0.05
        index = 0
        while True:
            server = self.servers[index % len(self.servers)]
            try:
                sock = self._open_socket(server)
                async with connect(
                    self._url(server),
                    origin=Origin(server),
                    open_timeout=5,
                    close_timeout=2,
                    max_queue=self.max_queue,
                    max_size=None,
                    sock=sock,
                ) as websocket:
                    self._socket = websocket
                    self.connected_to.append(server)
                    self.connected.set()
                    backoff = 0.05
                    await self._read(websocket)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
                await self._end(str(code), fatal=code in FATAL_CLOSE_CODES)
                if code in FATAL_CLOSE_CODES:
                    return
            except InvalidStatus as refused:
                await self._end(f"http {refused.response.status_code}")
            except (OSError, InvalidHandshake, TimeoutError) as error:
                await self._end(type(error).__name__)
            finally:
                self._socket = None
            # Another server next time, after a pause that grows, with jitter.
            index += 1
            await asyncio.sleep(backoff * random.uniform(0.5, 1.5))
            backoff = min(backoff * 2, 1.0)

    async def _read(self, websocket: ClientConnection) -> None:
        while True:
            await self.reading.wait()
            text = await websocket.recv()
            message = json.loads(text)
            if message["type"] != broadcast.HEARTBEAT_TYPE:
                await self._record(message["seq"], message["type"])


async def wait_all(readers: Sequence[Reader], seq: int, within: float) -> list[Reader]:
    """Wait until every reader has ``seq``; return the ones that did not get it in time."""
    deadline = time.monotonic() + within
    late = []
    for reader in readers:
        if not await reader.wait_for_seq(seq, max(0.0, deadline - time.monotonic())):
            late.append(reader)
    return late


async def stop_all(readers: Sequence[Reader]) -> None:
    await asyncio.gather(*(reader.stop() for reader in readers))


def describe(reader: Reader, expected: Sequence[int]) -> str:
    """Say how a reader's record differs from ``expected``, for an assertion message."""
    got = reader.seqs
    missing = sorted(set(expected) - set(got))
    duplicates = sorted({seq for seq in got if got.count(seq) > 1}) if len(got) < 5000 else []
    disorder = next((i for i in range(1, len(got)) if got[i] <= got[i - 1]), None)
    return (
        f"{reader.name}: {len(got)} received, {len(missing)} missing {missing[:10]}, "
        f"duplicates {duplicates[:10]}, first out of order at index {disorder}, "
        f"connections {reader.connected_to}, endings {reader.endings}"
    )


def assert_all_received(
    readers: Sequence[Reader], expected: Sequence[int], *, late: Sequence[Reader] = ()
) -> None:
    """Every reader received exactly ``expected``, in order, each once; none was ``late``
    (what ``wait_all`` returned)."""
    assert not late, "\n".join(describe(reader, expected) for reader in late)
    for reader in readers:
        assert reader.seqs == list(expected), describe(reader, expected)
