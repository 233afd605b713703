"""A server process holds at most DATABASE_POOL_MAX_SIZE PostgreSQL connections, whatever it serves.

Under uvicorn every HTTP request runs in a thread of its own; a connection kept "for reuse"
(the old ``DATABASE_CONN_MAX_AGE=60``) stayed open in the finished thread until the garbage
collector found it, so one process held hundreds. Here a real server on PostgreSQL takes
reader pages, API reads, API writes with a token and WebSocket handshakes that catch up from
the log, from several clients at once, while ``pg_stat_activity`` is watched for the
connections it holds (told apart by their ``application_name``).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from liveblog.models import Blog
from tests.reliability.support import TunedServer, http_request, tuned_servers
from tests.servers import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

POOL_MAX_SIZE = 4
#: Clients at once: twice the pool, so requests have to wait for a connection.
CLIENTS = 8
REQUESTS_EACH = 70
#: How often pg_stat_activity is read while the load runs.
SAMPLE_SECONDS = 0.01


class ConnectionWatch:
    """Count, in a thread, the connections whose application_name is ``name``; keep the peak."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.peak = 0
        self.samples = 0
        self.over = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ConnectionWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def count(self, conn: psycopg.Connection) -> int:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [self.name]
        ).fetchone()
        return row[0] if row else 0

    def _watch(self) -> None:
        with psycopg.connect(database_url(), autocommit=True) as conn:
            while not self._stop.is_set():
                held = self.count(conn)
                self.samples += 1
                self.peak = max(self.peak, held)
                if held > POOL_MAX_SIZE:
                    self.over.set()  # the clients stop: a leak must not exhaust the server
                time.sleep(SAMPLE_SECONDS)


def _requests(server: TunedServer, slug: str, key: str) -> list[Callable[[], str]]:
    """One of each request readers and tools make; each call says what it got back."""
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    counter = itertools.count()

    def get(path: str) -> Callable[[], str]:
        return lambda: f"GET {path.split('?')[0]} {http_request(server.port, 'GET', path).status}"

    def publish() -> str:
        body = json.dumps({"body": f"Update {next(counter)} from a newsroom tool."}).encode()
        reply = http_request(
            server.port, "POST", f"/api/blogs/{slug}/entries/", body=body, headers=auth
        )
        return f"POST entries {reply.status}"

    def handshake() -> str:
        # after=0 makes the push channel read the log (or its hub's memory) on its thread.
        # No queue limit: a client that stops reading would not see the server's close frame.
        url = f"{server.ws}/ws/blogs/{slug}/?after=0"
        with connect(url, origin=Origin(server.origin), max_queue=None) as ws:
            first = json.loads(ws.recv(timeout=10))
        return f"WS {first['type']}"

    return [
        get(f"/blogs/{slug}/"),
        get(f"/api/blogs/{slug}/entries/"),
        publish,
        handshake,
        get(f"/api/blogs/{slug}/events/?after=0"),
        get("/"),
        get(f"/blogs/{slug}/feed/"),
    ]


def test_a_server_process_never_holds_more_connections_than_its_pool(
    blog: Blog, token_key: str, logs: Path
) -> None:
    name = f"liveblog-test-{uuid.uuid4().hex[:12]}"
    answers: list[str] = []
    failures: list[str] = []
    env = {
        "DATABASE_URL": f"{database_url()}?application_name={name}",
        "DATABASE_POOL_MAX_SIZE": str(POOL_MAX_SIZE),
        "LIVEBLOG_API_THROTTLE_ANON": "1000000/min",
        "LIVEBLOG_API_THROTTLE_WRITE": "1000000/min",
    }
    with tuned_servers(1, logs, **env) as [server], ConnectionWatch(name) as watch:
        kinds = _requests(server, blog.slug, token_key)

        def client(number: int) -> None:
            for index in range(REQUESTS_EACH):
                if watch.over.is_set():
                    return
                try:
                    answers.append(kinds[(number + index) % len(kinds)]())
                except Exception as exc:  # counted and shown, not lost in a thread
                    failures.append(repr(exc))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    outcomes = Counter(answers)
    report = f"peak {watch.peak} connections over {watch.samples} samples; {dict(outcomes)}"
    assert watch.peak <= POOL_MAX_SIZE, f"the server held more than its pool: {report}"
    assert watch.peak >= 1, f"no connection of the server was seen: {report}"
    assert len(answers) == CLIENTS * REQUESTS_EACH >= 500, report
    assert failures == [], failures[:5]
    unexpected = {
        outcome: n
        for outcome, n in outcomes.items()
        if not outcome.endswith((" 200", " 201", "WS blog.created"))
    }
    assert unexpected == {}, report
