"""Twenty editors at once on one blog: nothing lost, nothing doubled, everyone sees it all.

The editors publish from twenty threads, each with its own PostgreSQL connection (as twenty
server workers would); the readers are real WebSocket clients of two uvicorn processes that
hear about the commits through Redis.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import connections

from liveblog import commands, rebuild
from liveblog.models import Blog, Entry, EntryRevision, Event
from tests.reliability.client import Reader, assert_all_received, stop_all, wait_all
from tests.reliability.support import tuned_servers

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

EDITORS = 20
UPDATES_EACH = 50
READERS_PER_SERVER = 4


def _publish_all(blog: Blog) -> list[BaseException]:
    """Run the editors in threads released together by a barrier; return their errors."""
    barrier = threading.Barrier(EDITORS)
    errors: list[BaseException] = []

    def editor(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            for update in range(UPDATES_EACH):
                commands.entry_publish(
                    blog=blog, body=f"editor {number}, update {update}", actor=f"editor-{number}"
                )
        except BaseException as error:  # reported by the test, not lost in a thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an editor never finished"
    return errors


def _projection(blog: Blog) -> dict[str, Any]:
    """Everything the projections hold for the blog, comparable across a rebuild."""
    return {
        "blog": Blog.objects.filter(pk=blog.pk).values().get(),
        "entries": list(Entry.objects.filter(blog=blog).order_by("pk").values()),
        "revisions": list(
            EntryRevision.objects.filter(entry__blog=blog)
            .order_by("entry_id", "number")
            .values("entry_id", "number", "headline", "body", "body_html", "reason", "seq")
        ),
    }


async def test_twenty_editors_publish_fifty_updates_each_and_every_reader_gets_all_in_order(
    blog: Blog, logs: Path
) -> None:
    before = blog.last_seq  # blog.created and blog.opened
    total = before + EDITORS * UPDATES_EACH
    with tuned_servers(2, logs) as servers:
        readers = [
            Reader([server.origin], blog.slug, after=before, name=f"reader-{n}-{server.port}")
            for server in servers
            for n in range(READERS_PER_SERVER)
        ]
        for reader in readers:
            reader.start()
        try:
            await asyncio.wait_for(asyncio.gather(*(r.connected.wait() for r in readers)), 15)
            errors = await asyncio.to_thread(_publish_all, blog)
            assert errors == []
            late = await wait_all(readers, total, within=60)
        finally:
            await stop_all(readers)

    assert_all_received(readers, range(before + 1, total + 1), late=late)
    assert all(set(reader.types) == {"entry.published"} for reader in readers)

    await database_sync_to_async(_check_log_and_projections)(blog, total)


def _check_log_and_projections(blog: Blog, total: int) -> None:
    log = list(Event.objects.filter(blog=blog).order_by("seq"))
    assert [event.seq for event in log] == list(range(1, total + 1)), "a gap in the log"
    published = [event for event in log if event.type == "entry.published"]
    assert len(published) == EDITORS * UPDATES_EACH
    for number in range(EDITORS):
        # Each editor's updates are in the log in the order the editor sent them.
        own = [e.payload["body"] for e in published if e.actor == f"editor-{number}"]
        assert own == [f"editor {number}, update {u}" for u in range(UPDATES_EACH)]
    live = _projection(blog)
    assert live["blog"]["last_seq"] == total
    assert len(live["entries"]) == EDITORS * UPDATES_EACH
    rebuild.rebuild(blog)
    assert _projection(blog) == live
