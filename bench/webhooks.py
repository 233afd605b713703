"""The webhooks part: 10 subscribers on 127.0.0.1, one of them down and then back.

``manage.py deliver_webhooks`` delivers, as a deployment runs it next to its servers: one
process on SQLite, two on PostgreSQL (their row locks share the work). The publisher process
publishes at a steady rate; nine receivers answer at once, the tenth refuses connections for
the first part of the run and then comes back (``bench.receivers``). Each update's headline
carries its send time, so arrival minus send is the delivery latency, publish to receiver.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import socket
import time
from typing import Any

from bench import stats
from bench.procs import (
    HOST,
    PYTHON,
    BenchError,
    Process,
    django_env,
    free_port,
    manage,
    postgres_create,
    postgres_drop,
)

SLUG = "bench-webhooks"
SUBSCRIBERS = 10
RATE = 2.0
SETUP = """
from liveblog import commands
from liveblog.webhooks import subscriptions
blog = commands.blog_create(slug=%(slug)r, title="Benchmark webhooks", actor="bench")
blog = commands.blog_open(blog=blog, actor="bench")
for port in %(ports)r:
    subscriptions.webhook_create(
        blog=blog, url=f"http://127.0.0.1:{port}/hooks", event_types=["entry.published"]
    )
print("BENCH webhooks=%%d" %% blog.webhooks.count())
"""


def webhooks_target(run: Any) -> None:
    """Run the part on SQLite (one worker) and, when reachable, PostgreSQL (two workers)."""
    settings = run.settings
    count = 20 if settings.quick else 40
    down_seconds = 4.0 if settings.quick else 8.0
    database = run.tmp / "webhooks.sqlite3"
    _one(run, "SQLite", 1, f"sqlite:///{database}", count, down_seconds)
    # A throwaway database, dropped afterwards (BENCH_WEBHOOKS_DATABASE names it).
    name = os.environ.get("BENCH_WEBHOOKS_DATABASE") or f"liveblog_bench_hooks_{os.getpid()}"
    try:
        database_url = postgres_create(settings.postgres_url, name)
    except Exception as exc:
        run.log(f"webhooks: no PostgreSQL at {settings.postgres_url} ({exc}); SQLite only")
        return
    run.stack.callback(postgres_drop, settings.postgres_url, name)
    _one(run, "PostgreSQL", 2, database_url, count, down_seconds)


def _one(
    run: Any, backend: str, workers: int, database_url: str, count: int, down_seconds: float
) -> None:
    tag = backend.lower()
    env = {**django_env(database_url), "LIVEBLOG_WEBHOOK_ALLOW_PRIVATE": "true"}
    run.log(f"webhooks ({backend}): migrating, registering {SUBSCRIBERS} subscribers")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    ports = [free_port() for _ in range(SUBSCRIBERS)]
    out = manage(["shell", "-c", SETUP % {"slug": SLUG, "ports": ports}], env, timeout=120)
    if not re.search(rf"BENCH webhooks={SUBSCRIBERS}\b", out):
        raise BenchError(f"registering the subscribers failed:\n{out[-500:]}")

    healthy, late = ports[:-1], ports[-1]
    found = run.tmp / f"receivers-{tag}.json"
    receivers = Process(
        f"receivers ({backend})",
        [
            PYTHON, "-m", "bench.receivers", "--ports", ",".join(map(str, healthy)),
            "--late", str(late), "--expect", str(count), "--out", str(found),
            "--timeout", str(count / RATE + down_seconds + 180),
        ],
        env=None,
        log=run.tmp / f"receivers-{tag}.log",
    )  # fmt: skip
    run.stack.callback(receivers.stop)
    _wait_listening(receivers, healthy)
    started = [
        Process(
            f"webhook worker {n} ({backend})",
            [PYTHON, "manage.py", "deliver_webhooks"],
            env=env,
            log=run.tmp / f"worker-{tag}-{n}.log",
        )
        for n in range(1, workers + 1)
    ]
    for worker in started:
        run.stack.callback(worker.stop)
    for worker in started:
        _wait_logged(worker, "Delivering webhooks")

    run.log(
        f"webhooks ({backend}): {count} updates at {RATE:g}/s; one receiver down {down_seconds:g} s"
    )
    published_file = run.tmp / f"publisher-webhooks-{tag}.json"
    publisher = Process(
        "publisher (webhooks)",
        [
            PYTHON, "-m", "bench.publisher", "--slug", SLUG, "--count", str(count),
            "--rate", str(RATE), "--out", str(published_file),
        ],
        env=env,
        log=run.tmp / f"publisher-webhooks-{tag}.log",
    )  # fmt: skip
    run.stack.callback(publisher.stop)
    time.sleep(down_seconds)
    back_at = time.time()
    receivers.popen.send_signal(signal.SIGUSR1)
    if publisher.wait(count / RATE + 120) != 0 or not published_file.exists():
        raise publisher.failure("failed")
    published = json.loads(published_file.read_text())
    if receivers.wait(count / RATE + down_seconds + 240) != 0 or not found.exists():
        raise receivers.failure("failed")
    for worker in started:
        worker.stop()
    seen = json.loads(found.read_text())
    result = _summarise(seen, published, back_at, down_seconds)
    result.update(backend=backend, workers=workers, subscribers=SUBSCRIBERS, updates=count)
    run.results.setdefault("webhooks", []).append(result)


def _summarise(
    seen: dict[str, Any], published: dict[str, Any], back_at: float, down_seconds: float
) -> dict[str, Any]:
    expected = list(range(published["first_seq"], published["last_seq"] + 1))
    latencies: list[float] = []
    lost = duplicates = disorder = 0
    for deliveries in seen["healthy"].values():
        seqs = [seq for seq, _, _ in deliveries]
        lost += len(set(expected) - set(seqs))
        duplicates += len(seqs) - len(set(seqs))
        disorder += sum(1 for a, b in itertools.pairwise(seqs) if b < a)
        firsts: dict[int, tuple[float, float | None]] = {}
        for seq, arrived, sent in deliveries:
            firsts.setdefault(seq, (arrived, sent))
        latencies += [arrived - sent for arrived, sent in firsts.values() if sent is not None]
    late = seen["late"]["deliveries"]
    late_seqs = [seq for seq, _, _ in late]
    firsts_in_order = list(dict.fromkeys(late_seqs))
    resumed = min((arrived for _, arrived, _ in late), default=None)
    calls = published.get("call_seconds", [])
    return {
        "healthy_deliveries": len(latencies),
        "expected_per_subscriber": len(expected),
        **stats.p50_p99_ms(latencies),
        "max_ms": 1000 * max(latencies, default=float("nan")),
        "lost": lost,
        "duplicates": duplicates,
        "out_of_order": disorder,
        "late_received": len(set(late_seqs)),
        "late_lost": len(set(expected) - set(late_seqs)),
        "late_in_order": firsts_in_order == sorted(firsts_in_order),
        "late_duplicates": len(late_seqs) - len(set(late_seqs)),
        "late_down_seconds": down_seconds,
        # Its first delivery after coming back: when its backoff next let it be tried.
        "late_resumed_seconds": None if resumed is None else resumed - back_at,
        "publish_call_p50_ms": 1000 * stats.median(calls),
        "publish_call_max_ms": 1000 * max(calls, default=float("nan")),
    }


def _wait_listening(process: Process, ports: list[int], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                if not process.alive() or time.monotonic() > deadline:
                    raise process.failure(f"did not listen on port {port}") from None
                time.sleep(0.1)


def _wait_logged(process: Process, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in process.log.read_text(errors="replace"):
        if not process.alive() or time.monotonic() > deadline:
            raise process.failure(f"did not say {text!r}")
        time.sleep(0.1)
