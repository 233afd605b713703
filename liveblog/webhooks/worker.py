"""The delivery worker: finds subscribers with events to deliver and delivers them, in threads.

``run()`` is an async loop for the server process (``in_server_process``, registered in the
ASGI lifespan) or for a process of its own (``manage.py deliver_webhooks``). Each pass asks
the database which subscribers are due and hands each to a thread, one at a time per
subscriber so that its events stay in order, then waits ``LIVEBLOG_WEBHOOK_POLL_SECONDS``.
Nothing is queued when an event is appended: the log is the queue, and each subscriber's
cursor is its place in it. Threads because Django's ORM and httpcore's client are synchronous
and a PostgreSQL row lock belongs to one connection: each thread holds a connection of the
process's pool while it delivers (``lanes`` says how many may).

On SQLite only one process may deliver (``delivery`` explains why): the worker takes an
exclusive lock on a file beside the database and stands by while another process holds it.
The operating system releases the lock when its holder exits, killed or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection

from liveblog import background
from liveblog.webhooks import delivery
from liveblog.webhooks.outbound import Sender

logger = logging.getLogger(__name__)

#: How often a standing-by process tries the SQLite lock file again.
STANDBY_SECONDS = 2.0
#: Events one thread delivers to a subscriber before giving others a turn.
EVENTS_PER_TURN = 50

T = TypeVar("T")


async def run(*, stop: asyncio.Event | None = None, beside_requests: bool = False) -> None:
    """Deliver webhooks until ``stop`` is set; in-flight deliveries then finish first.

    ``beside_requests``: the process also serves requests, which need connections too.
    """
    stop = stop or asyncio.Event()
    concurrency = lanes(beside_requests=beside_requests)
    poll = max(0.05, settings.LIVEBLOG_WEBHOOK_POLL_SECONDS)
    sender = Sender(
        timeout=settings.LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE,
        max_connections=concurrency,
    )
    # One thread more than deliveries run at once: the query for due subscribers never waits.
    executor = ThreadPoolExecutor(concurrency + 1, thread_name_prefix="webhooks")
    loop = asyncio.get_running_loop()
    running: dict[uuid.UUID, asyncio.Future[int]] = {}
    # Subscribers whose last turn sent nothing (another process holds them, say) wait for the
    # next pass rather than being handed to a thread again at once.
    resting: dict[uuid.UUID, float] = {}
    try:
        async with _sole_deliverer(stop):
            while not stop.is_set():
                now = loop.time()
                resting = {key: until for key, until in resting.items() if until > now}
                free = concurrency - len(running)
                if free > 0:
                    busy = {*running, *resting}
                    for webhook_id in await loop.run_in_executor(executor, _due, busy, free):
                        running[webhook_id] = loop.run_in_executor(
                            executor, _deliver, webhook_id, sender
                        )
                # A thread that ends starts the next pass (its subscriber may have more, or
                # another may wait for the thread); new events are found on the next poll.
                await _wait(stop, running.values(), poll)
                for webhook_id, future in list(running.items()):
                    if future.done():
                        del running[webhook_id]
                        if not future.result():
                            resting[webhook_id] = loop.time() + poll
    finally:
        if running:
            await asyncio.wait(running.values())
        executor.shutdown(wait=True)
        sender.close()


@contextlib.asynccontextmanager
async def in_server_process() -> AsyncIterator[None]:
    """Run the worker while a server process runs, unless LIVEBLOG_WEBHOOK_WORKER is off.

    For the ASGI lifespan: enter at start-up, leave at shutdown (which waits for deliveries
    in flight, at most LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS).
    """
    async with background.beside_requests(
        lambda stop: run(stop=stop, beside_requests=True),
        enabled=settings.LIVEBLOG_WEBHOOK_WORKER,
        name="liveblog-webhooks",
        logger=logger,
    ):
        yield


def lanes(*, beside_requests: bool) -> int:
    """Deliveries at once: LIVEBLOG_WEBHOOK_CONCURRENCY, as far as the connection pool allows.

    Each delivery holds a connection of the process's pool (PostgreSQL) while its receiver
    answers, and the query for due subscribers takes one more. Beside requests, deliveries
    take at most half the pool, so that a slow receiver never leaves requests waiting.
    """
    wanted = settings.LIVEBLOG_WEBHOOK_CONCURRENCY
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    size = pool.get("max_size") if isinstance(pool, dict) else None
    if not size:
        return wanted
    allowed = max(1, min(wanted, size // 2 if beside_requests else size - 1))
    if allowed < wanted:
        logger.info(
            "Delivering %s webhooks at a time, not LIVEBLOG_WEBHOOK_CONCURRENCY=%s: "
            "DATABASE_POOL_MAX_SIZE=%s leaves no more connections for them",
            allowed,
            wanted,
            size,
        )
    return allowed


async def _wait(
    stop: asyncio.Event, futures: Iterable[asyncio.Future[int]], seconds: float
) -> None:
    """Until ``stop`` is set, one of ``futures`` is done, or ``seconds`` pass."""
    stopped = asyncio.ensure_future(stop.wait())
    waiters: list[asyncio.Future[Any]] = [stopped, *futures]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()


def _due(busy: set[uuid.UUID], limit: int) -> list[uuid.UUID]:
    return _with_database(lambda: delivery.due_webhooks(limit=limit, exclude=busy), [])


def _deliver(webhook_id: uuid.UUID, sender: Sender) -> int:
    return _with_database(
        lambda: delivery.deliver_some(webhook_id, sender=sender, limit=EVENTS_PER_TURN), 0
    )


def _with_database(work: Callable[[], T], fallback: T) -> T:
    return background.with_database(work, fallback, doing="Webhook delivery", logger=logger)


@contextlib.asynccontextmanager
async def _sole_deliverer(stop: asyncio.Event) -> AsyncIterator[None]:
    """On SQLite, wait until this process holds the lock file; elsewhere, nothing to do."""
    path = _sqlite_lock_path()
    if path is None:
        yield
        return
    with path.open("a") as handle:
        said = False
        while not stop.is_set():
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not said:
                    logger.info("Another process delivers webhooks for %s; standing by", path)
                    said = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STANDBY_SECONDS)
        yield  # closing the file releases the lock


def _sqlite_lock_path() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name.startswith(("file:", ":memory:")) or not name:
        return None  # an in-memory database lives in one process
    return sqlite_lock_file(name)


def sqlite_lock_file(database: str) -> Path:
    """The file whose lock makes one process the deliverer for a SQLite database."""
    return Path(f"{database}-webhooks.lock")  # beside -wal and -shm
