"""The worker: finds due subscribers and delivers to each in its own thread, once per event."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from channels.db import database_sync_to_async

from liveblog import commands
from liveblog.models import Blog
from liveblog.webhooks import worker
from tests.webhooks.conftest import register
from tests.webhooks.receivers import Receiver

# Worker threads use connections of their own: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


class WorkerThread:
    """``worker.run()`` on an event loop of its own, as a server process would run it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop_event = asyncio.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop.run_until_complete(worker.run(stop=self.stop_event))

    def start(self) -> WorkerThread:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(10)
        assert not self.thread.is_alive(), "the worker did not stop"
        self.loop.close()


@pytest.fixture
def receivers() -> Any:
    started = [Receiver().start() for _ in range(3)]
    yield started
    for receiver in started:
        receiver.stop()


def _publish(blog: Blog, count: int) -> list[int]:
    return [
        commands.entry_publish(blog=blog, body=f"Update {n}", actor="editor").published_seq
        for n in range(count)
    ]


def test_the_worker_delivers_every_event_to_every_subscriber_in_order(
    blog: Blog, receivers: list[Receiver]
) -> None:
    for receiver in receivers:
        register(blog, receiver)
    # A backlog longer than one thread's turn, then events published while it runs.
    backlog = _publish(blog, worker.EVENTS_PER_TURN + 10)
    running = WorkerThread().start()
    try:
        live = _publish(blog, 5)
        for receiver in receivers:
            assert receiver.wait_for(len(backlog) + len(live)), receiver.seqs()
    finally:
        running.stop()
    for receiver in receivers:
        assert receiver.seqs() == backlog + live


def test_two_workers_deliver_each_event_once(
    blog: Blog, receivers: list[Receiver], settings: Any
) -> None:
    # On PostgreSQL the row locks decide; on SQLite the lock file leaves one of them idle.
    settings.LIVEBLOG_WEBHOOK_CONCURRENCY = 2
    for receiver in receivers:
        register(blog, receiver)
    first, second = WorkerThread().start(), WorkerThread().start()
    try:
        seqs = _publish(blog, 15)
        for receiver in receivers:
            assert receiver.wait_for(len(seqs)), receiver.seqs()
        first.stop()
        # The other one goes on alone (on SQLite it takes over the lock file).
        more = _publish(blog, 3)
        for receiver in receivers:
            assert receiver.wait_for(len(seqs) + len(more), timeout=15), receiver.seqs()
    finally:
        if first.thread.is_alive():
            first.stop()
        second.stop()
    for receiver in receivers:
        assert receiver.seqs() == seqs + more


async def test_in_server_process_runs_nothing_when_the_worker_is_off(settings: Any) -> None:
    settings.LIVEBLOG_WEBHOOK_WORKER = False
    before = {task.get_name() for task in asyncio.all_tasks()}
    async with worker.in_server_process():
        assert {task.get_name() for task in asyncio.all_tasks()} == before


async def test_in_server_process_delivers_while_the_server_runs(
    blog: Blog, receivers: list[Receiver], settings: Any
) -> None:
    settings.LIVEBLOG_WEBHOOK_WORKER = True
    receiver = receivers[0]
    await database_sync_to_async(register)(blog, receiver)
    async with worker.in_server_process():
        seqs = await database_sync_to_async(_publish)(blog, 3)
        assert await asyncio.to_thread(receiver.wait_for, len(seqs))
    assert receiver.seqs() == seqs
    assert not [task for task in asyncio.all_tasks() if task.get_name() == "liveblog-webhooks"]


@pytest.mark.parametrize(
    ("pool", "beside_requests", "expected"),
    [
        (None, True, 4),  # SQLite: no pool
        ({"max_size": 10}, True, 4),
        ({"max_size": 4}, True, 2),  # half the pool stays for requests
        ({"max_size": 4}, False, 3),  # a process of its own: one for the due query
        ({"max_size": 1}, True, 1),
    ],
)
def test_deliveries_at_once_fit_the_connection_pool(
    settings: Any, monkeypatch: pytest.MonkeyPatch, pool: Any, beside_requests: bool, expected: int
) -> None:
    from django.db import connection

    settings.LIVEBLOG_WEBHOOK_CONCURRENCY = 4
    options = {} if pool is None else {"pool": pool}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert worker.lanes(beside_requests=beside_requests) == expected
