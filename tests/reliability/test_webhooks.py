"""Webhooks survive what processes go through: a server process delivers them with nothing
else started, a worker killed mid-delivery loses nothing, and two worker processes on
PostgreSQL deliver each event once per subscriber."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest

from liveblog import commands
from liveblog.models import Blog
from liveblog.webhooks import subscriptions
from liveblog.webhooks.models import Webhook
from tests.reliability.support import api_publish, tuned_servers, wait_until
from tests.servers import PROJECT, server_env
from tests.webhooks.receivers import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerProcess:
    """``manage.py deliver_webhooks`` on the test database, with quick polls and retries."""

    def __init__(self, log: Path, **env: str) -> None:
        self.log_path = log
        self.env = server_env(
            LIVEBLOG_WEBHOOK_ALLOW_PRIVATE="true",
            LIVEBLOG_WEBHOOK_POLL_SECONDS="0.05",
            LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS="0.05",
            LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS="0.2",
            # Long enough that the test, not a timeout, ends a hanging delivery.
            LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS="60",
            **env,
        )
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "deliver_webhooks"],
            cwd=PROJECT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, *, kill: bool = False) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None


@pytest.fixture
def allow_local_receivers(settings: Any) -> None:
    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = True


def _publish(blog: Blog, count: int, start: int = 0) -> list[int]:
    return [
        commands.entry_publish(blog=blog, body=f"Update {n}", actor="editor").published_seq
        for n in range(start, start + count)
    ]


@pytest.mark.usefixtures("allow_local_receivers")
def test_a_server_process_delivers_webhooks_with_nothing_else_started(
    blog: Blog, token_key: str, logs: Path
) -> None:
    receiver = Receiver().start()
    subscriptions.webhook_create(blog=blog, url=receiver.url, event_types=["entry.published"])
    env = {"LIVEBLOG_WEBHOOK_ALLOW_PRIVATE": "true", "LIVEBLOG_WEBHOOK_POLL_SECONDS": "0.05"}
    try:
        with tuned_servers(1, logs, **env) as [server]:
            published = [
                api_publish(server.port, blog.slug, token_key, f"Update {n}") for n in range(3)
            ]
            assert [reply.status for reply in published] == [201] * 3
            assert receiver.wait_for(3, timeout=20), receiver.seqs()
    finally:
        receiver.stop()
    assert [r.message["entry"]["body"] for r in receiver.received] == [
        f"Update {n}" for n in range(3)
    ]


@pytest.mark.usefixtures("allow_local_receivers")
def test_a_worker_killed_mid_delivery_loses_nothing_and_keeps_the_order(
    blog: Blog, logs: Path
) -> None:
    receiver = Receiver().start()
    webhook, _ = subscriptions.webhook_create(blog=blog, url=receiver.url)
    seqs = _publish(blog, 5)
    receiver.hang_seqs = {seqs[2]}  # the third event's first delivery never gets an answer
    first = WorkerProcess(logs / "worker-1.log").start()
    second = WorkerProcess(logs / "worker-2.log")
    try:
        assert receiver.wait_for(3, timeout=30), (receiver.seqs(), first.log())
        first.stop(kill=True)  # mid-delivery: the receiver has the event, we have no answer
        receiver.release()
        more = _publish(blog, 2, start=5)
        second.start()
        everything = [*seqs[:2], seqs[2], *seqs[2:], *more]
        assert receiver.wait_for(len(everything), timeout=30), (receiver.seqs(), second.log())
        assert wait_until(
            lambda: Webhook.objects.get(pk=webhook.pk).delivered_seq == more[-1], timeout=10
        )
    finally:
        first.stop(kill=True)
        second.stop()
        receiver.stop()
    # At least once: the killed delivery is sent again, with the same webhook-id; nothing
    # is missing and nothing comes out of order.
    assert receiver.seqs() == everything
    repeated = [r.headers["webhook-id"] for r in receiver.received if r.seq == seqs[2]]
    assert repeated == [f"msg_{blog.pk}_{seqs[2]}"] * 2


@pytest.mark.postgres
@pytest.mark.usefixtures("allow_local_receivers")
def test_two_worker_processes_deliver_each_event_once_per_subscriber(
    blog: Blog, logs: Path
) -> None:
    receivers = [Receiver().start() for _ in range(4)]
    for receiver in receivers:
        subscriptions.webhook_create(blog=blog, url=receiver.url)
    workers = [
        WorkerProcess(logs / f"worker-{n}.log", LIVEBLOG_WEBHOOK_CONCURRENCY="2").start()
        for n in (1, 2)
    ]
    try:
        seqs = _publish(blog, 40)
        for receiver in receivers:
            assert receiver.wait_for(len(seqs), timeout=30), receiver.seqs()
        assert all(worker.alive() for worker in workers), [w.log() for w in workers]
    finally:
        for worker in workers:
            worker.stop()
        for receiver in receivers:
            receiver.stop()
    for worker in workers:
        assert "Delivering webhooks" in worker.log()
    for receiver in receivers:
        assert receiver.seqs() == seqs
