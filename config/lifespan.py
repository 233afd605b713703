"""What a server process does once when it starts and once when it stops: the ASGI lifespan.

uvicorn sends ``lifespan.startup`` before it accepts a connection and ``lifespan.shutdown``
after the last one; Channels' ``ProtocolTypeRouter`` does not handle that scope, so
``ServerLifespan`` stands in front of it. Each step is an async context manager, as in
Starlette's ``lifespan``: its code before ``yield`` runs at start-up, in order, and its code
after ``yield`` at shutdown, in reverse order. Background work a server runs (a task started
before ``yield``, cancelled and awaited after it) is one more step in ``config.asgi``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from liveblog.passthrough import passes_through

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Step = Callable[[], AbstractAsyncContextManager[object]]


class ServerLifespan:
    """Answer ``lifespan`` scopes by running ``steps``; pass every other scope to ``app``."""

    def __init__(self, app: App, *, steps: Sequence[Step]) -> None:
        self.app = app
        self.steps = tuple(steps)

    @passes_through
    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "lifespan":
            # Handed on, not awaited: no frame of this layer per open WebSocket.
            return self.app(scope, receive, send)
        return self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        async with contextlib.AsyncExitStack() as started:
            try:
                for step in self.steps:
                    await started.enter_async_context(step())
            except Exception as exc:
                # The steps that did start are stopped as the stack unwinds; the server exits.
                logger.exception("Server start-up failed")
                await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            try:
                await started.aclose()
            except Exception as exc:
                logger.exception("Server shutdown failed")
                await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
                return
        await send({"type": "lifespan.shutdown.complete"})
