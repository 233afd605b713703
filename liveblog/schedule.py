"""Scheduled updates: publish each one when its time comes, once, from any process.

The schedule is the desk's projection (``DeskEntry`` rows that are scheduled, with their
``publish_at``), rebuilt from the log like everything else, so it survives restarts. Every
process that runs ``run`` looks for due updates every ``LIVEBLOG_SCHEDULE_POLL_SECONDS`` (one
indexed query) and publishes them with ``commands.desk_publish(due_at=...)``, the command an
editor's "Publish now" calls. No lease, queue or election of our own: the database decides.
The publication takes the blog's stream lock (``SELECT ... FOR UPDATE`` on PostgreSQL, the
write lock on SQLite) and checks, under it, that the update is still scheduled and due; of
several processes finding it due together, the first publishes it and the others find it
published and append nothing. A process killed mid-publication rolls back with its
connection, and the next one to look publishes it. Its entry id is fixed when it is written,
so even a duplicate attempt could not make a second entry.

Server processes run it as a step of the ASGI lifespan (``in_server_process``, in
``config.asgi``), unless ``LIVEBLOG_SCHEDULER`` is off; ``manage.py publish_scheduled`` runs it
in a process of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from liveblog import background, commands
from liveblog.errors import LiveblogError
from liveblog.models import DeskEntry

logger = logging.getLogger(__name__)

#: Due updates published per pass; more wait for the next, which follows at once.
BATCH = 50
#: The actor the log records for a scheduled publication: the schedule, for whoever set it.
ACTOR_PREFIX = "schedule:"


def due(now: datetime, *, limit: int = BATCH) -> list[tuple[uuid.UUID, str]]:
    """The scheduled updates whose time has come, oldest first: (id, who scheduled it)."""
    rows = (
        DeskEntry.objects.filter(status=DeskEntry.Status.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at")
        .values_list("pk", "scheduled_by")
    )
    return list(rows[:limit])


def publish_due(now: datetime | None = None) -> int:
    """Publish every update due at ``now``; return how many this call published."""
    now = now or timezone.now()
    published = 0
    for entry_id, scheduled_by in due(now):
        actor = f"{ACTOR_PREFIX}{scheduled_by}"[: commands.MAX_ACTOR_LENGTH]
        try:
            outcome = commands.desk_publish(entry=entry_id, actor=actor, due_at=now)
        except LiveblogError as exc:
            # Rescheduled or cancelled a moment ago, or refused: nothing was written.
            logger.info("Scheduled update %s was not published: %s", entry_id, exc.message)
            continue
        if outcome.created:
            published += 1
            logger.info("Published scheduled update %s", entry_id)
    return published


def next_due() -> datetime | None:
    """When the next scheduled update is due, if any is."""
    return (
        DeskEntry.objects.filter(status=DeskEntry.Status.SCHEDULED)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


def _publish_and_look_ahead() -> tuple[bool, datetime | None]:
    """Publish what is due; say whether more may be, and when the next one is due."""
    if publish_due() >= BATCH:
        return True, None
    return False, next_due()


def _pass() -> float:
    """Publish what is due; return the seconds to wait before the next pass."""
    poll = settings.LIVEBLOG_SCHEDULE_POLL_SECONDS
    outcome = background.with_database(
        _publish_and_look_ahead, None, doing="Scheduled publishing", logger=logger
    )
    if outcome is None:
        return poll
    more, upcoming = outcome
    if more:
        return 0.0
    if upcoming is None:
        return poll
    # Wake at the due moment rather than up to a poll later; another process may schedule
    # an earlier one meanwhile, so never sleep longer than a poll.
    return max(0.0, min(poll, (upcoming - timezone.now()).total_seconds()))


async def run(*, stop: asyncio.Event | None = None) -> None:
    """Publish scheduled updates as they fall due, until ``stop`` is set."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    # A thread of its own: the ORM is synchronous, and a pass must not wait for requests.
    with ThreadPoolExecutor(1, thread_name_prefix="schedule") as executor:
        while not stop.is_set():
            wait = await loop.run_in_executor(executor, _pass)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)


@contextlib.asynccontextmanager
async def in_server_process() -> AsyncIterator[None]:
    """Run the schedule while a server process runs, unless LIVEBLOG_SCHEDULER is off."""
    async with background.beside_requests(
        lambda stop: run(stop=stop),
        enabled=settings.LIVEBLOG_SCHEDULER,
        name="liveblog-schedule",
        logger=logger,
    ):
        yield
