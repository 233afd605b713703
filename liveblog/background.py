"""Work a server process runs beside its requests, in a thread of its own.

Scheduled publishing (``schedule``) and webhook delivery (``webhooks.worker``) pass over the
database again and again; a pass that fails must not end the loop, only be said.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

from django.db import DatabaseError, close_old_connections

T = TypeVar("T")


def with_database(work: Callable[[], T], fallback: T, *, doing: str, logger: logging.Logger) -> T:
    """Run ``work`` in this thread with a usable connection; errors are logged, not raised.

    ``fallback`` is the answer when it failed; ``doing`` names the work in the log.
    """
    close_old_connections()
    try:
        return work()
    except DatabaseError as exc:
        # The database is away (restart, failover): nothing moved; the next pass retries.
        logger.warning("%s paused by a database error: %s", doing, exc)
        return fallback
    except Exception:
        logger.exception("%s failed", doing)
        return fallback
    finally:
        close_old_connections()


@contextlib.asynccontextmanager
async def beside_requests(
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
    *,
    enabled: bool,
    name: str,
    logger: logging.Logger,
) -> AsyncIterator[None]:
    """Run ``run(stop)`` in a task while the server process runs (unless not ``enabled``).

    For the ASGI lifespan: enter at start-up; leaving sets ``stop`` and waits for the task.
    """
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)
    try:
        yield
    finally:
        stop.set()
        try:
            await task
        except Exception:
            logger.exception("%s failed", name)


async def until_signalled(run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
    """Run ``run(stop)`` in a process of its own; Ctrl-C or SIGTERM sets ``stop``."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run(stop)
