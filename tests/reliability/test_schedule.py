"""Scheduled updates go out once, on time, whatever happens to the server processes.

Real uvicorn processes run the schedule as a step of their lifespan (``config.asgi``), as in
production. With two processes on PostgreSQL and Redis, every due update is published exactly
once, also when one process is killed at the due moment in the middle of publishing; and an
update scheduled before a restart still goes out after it.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.utils import timezone

from liveblog import commands
from liveblog.models import Blog, DeskEntry, Entry, Event
from tests.reliability.support import tuned_servers, wait_until
from tests.servers import database_url

#: How late a scheduled update may go out: "within a couple of seconds".
ON_TIME = timedelta(seconds=2.5)


def _schedule(blog: Blog, body: str, at: datetime) -> DeskEntry:
    writing = commands.Writing(body=body, headline="Embargo")
    return commands.desk_write(
        blog=blog, actor="editor", writing=writing, status="scheduled", publish_at=at
    ).entry


def _publications(entry_id: uuid.UUID) -> int:
    return Event.objects.filter(entry_id=entry_id, type="entry.published").count()


def _all_published(items: list[DeskEntry]) -> bool:
    return Entry.objects.filter(pk__in=[item.pk for item in items]).count() == len(items)


def _waiting_on_a_lock(connection: Any) -> int:
    """How many server connections wait for a row lock (the blog's stream lock)."""
    row = connection.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'liveblog-%%' "
        "AND wait_event_type = 'Lock' AND datname = current_database()"
    ).fetchone()
    return int(row[0])


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_processes_publish_each_due_update_once_even_when_one_is_killed_at_the_due_moment(
    blog: Blog, logs: Path
) -> None:
    other = commands.blog_create(slug="second-blog", title="Second", actor="editor")
    url = database_url()
    with tuned_servers(2, logs) as (first, _second):
        # Scheduled once both processes run (they look every second): a slow start on a
        # loaded machine must not let the due moment pass before the test holds the lock.
        due = timezone.now() + timedelta(seconds=4)
        items = [
            _schedule(b, f"Update {n} of {b.slug}", due) for b in (blog, other) for n in range(3)
        ]
        later = _schedule(blog, "An hour later", due + timedelta(hours=1))
        # Hold the first blog's stream lock across the due moment: both processes reach
        # their publication and wait for it, inside their transactions.
        with psycopg.connect(url, autocommit=False) as holder:
            holder.execute("SELECT 1 FROM liveblog_blog WHERE id = %s FOR UPDATE", [blog.pk])
            time.sleep(max(0.0, (due - timezone.now()).total_seconds()))
            with psycopg.connect(url, autocommit=True) as watcher:
                # Generous: on a loaded machine a process can take seconds to wake up.
                assert wait_until(lambda: _waiting_on_a_lock(watcher) >= 2, timeout=20), (
                    "both processes should be publishing the first blog's updates"
                )
            first.stop(kill=True)  # killed mid-publication, its transaction still open
            holder.rollback()
            released = timezone.now()
        assert wait_until(lambda: _all_published(items), timeout=10)
        published_at = [Entry.objects.get(pk=item.pk).published_at for item in items]
    for item in items:
        assert _publications(item.pk) == 1, item.body
        assert Event.objects.filter(entry_id=item.pk, type="desk.published").count() == 1
    # On time once the lock the test held is free (the survivor was already waiting on it).
    assert max(published_at) - max(due, released) < ON_TIME + timedelta(seconds=1)
    assert DeskEntry.objects.get(pk=later.pk).status == "scheduled"
    assert not Entry.objects.filter(pk=later.pk).exists()
    for b in (blog, other):
        seqs = list(Event.objects.filter(blog=b).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, nothing twice


@pytest.mark.django_db(transaction=True)
def test_an_update_scheduled_before_a_restart_still_goes_out(blog: Blog, logs: Path) -> None:
    due = timezone.now() + timedelta(seconds=5)
    item = _schedule(blog, "Embargo lifts", due)
    with tuned_servers(1, logs) as (server,):
        time.sleep(1)
        server.stop()  # a deploy, before the due time
        assert not Entry.objects.filter(pk=item.pk).exists()
        server.start()
        assert wait_until(lambda: Entry.objects.filter(pk=item.pk).exists(), timeout=15)
    entry = Entry.objects.get(pk=item.pk)
    assert due <= entry.published_at < due + ON_TIME
    assert _publications(item.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_a_process_started_after_the_due_time_publishes_what_it_missed(
    blog: Blog, logs: Path
) -> None:
    due = timezone.now() + timedelta(seconds=1)
    item = _schedule(blog, "Overdue", due)
    time.sleep(1.5)  # no server was running at the due time
    with tuned_servers(1, logs) as _:
        assert wait_until(lambda: Entry.objects.filter(pk=item.pk).exists(), timeout=10)
    assert _publications(item.pk) == 1
