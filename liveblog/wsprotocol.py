"""uvicorn's ``websockets-sansio`` protocol, keeping less per open connection.

uvicorn keeps, for the whole life of every accepted WebSocket, the handshake request and
response with their headers, the ASGI scope it built from them, and an ``asyncio.Queue`` and
``asyncio.Event`` of four and one empty deques: about 8 KB of an idle reader's 21 KB, none of
which is read again once the 101 is sent. ``LeanWebSocketProtocol`` is that protocol, letting
go of the handshake once it is answered and waiting on smaller objects that do what uvicorn
asks of the queue and the event. Every frame, ping, close and refusal is uvicorn's own code.

Run it with ``uvicorn --ws liveblog.wsprotocol:LeanWebSocketProtocol`` (README, Makefile).
It relies on how uvicorn's protocol uses these attributes; ``tests/test_wsprotocol.py``
fails if that changes. Figures: BENCHMARKS.md, "Memory per idle WebSocket".
"""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

#: What ``uvicorn --ws`` takes to run this protocol.
UVICORN_WS = "liveblog.wsprotocol:LeanWebSocketProtocol"

_Item = TypeVar("_Item")


class ReceiveQueue(Generic[_Item]):
    """The part of ``asyncio.Queue`` uvicorn's protocol uses: ``put_nowait``, ``get``, ``empty``.

    Unbounded, first in first out, any number of getters woken in turn, as asyncio's; but an
    empty one holds two empty lists, not four deques of 64 slots each.
    """

    __slots__ = ("_getters", "_items")

    def __init__(self) -> None:
        self._items: list[_Item] = []
        self._getters: list[asyncio.Future[None]] = []

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item: _Item) -> None:
        self._items.append(item)
        self._wake_next()

    async def get(self) -> _Item:
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()
                if getter in self._getters:
                    self._getters.remove(getter)
                elif self._items:
                    # Woken for an item it will not take: the next getter takes it.
                    self._wake_next()
                raise
        return self._items.pop(0)

    def _wake_next(self) -> None:
        while self._getters:
            getter = self._getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return


class WritableFlag:
    """The part of ``asyncio.Event`` uvicorn's protocol uses for ``writable``: ``set``,
    ``clear``, ``is_set`` and ``wait``, with no deque until a send waits for the transport.
    """

    __slots__ = ("_value", "_waiters")

    def __init__(self) -> None:
        self._value = False
        self._waiters: list[asyncio.Future[bool]] | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        if self._value:
            return
        self._value = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if self._value:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's ``websockets-sansio`` protocol, letting go of the handshake once answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn declares asyncio's types; these have the part of them it uses (see above).
        self.queue: ReceiveQueue[Any] = ReceiveQueue()  # type: ignore[assignment]
        self.writable: WritableFlag = WritableFlag()  # type: ignore[assignment]
        self.writable.set()

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The scope now holds what the app reads of the request. websockets' parser keeps
        # the request as a local until the connection ends, so empty it rather than only
        # dropping uvicorn's reference.
        del self.request
        event.headers.clear()

    def start_keepalive(self) -> None:
        """Start pinging, as uvicorn does; and let go of the handshake's response and scope.

        uvicorn calls this once, right after it has written the 101 response: from here on
        it reads neither (both serve the handshake's answer and its log line), and the app
        has its own reference to the scope.
        """
        super().start_keepalive()
        del self.response, self.scope
