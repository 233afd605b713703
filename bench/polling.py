"""The pollers part: readers without WebSockets, polling the cacheable reads through nginx.

``deploy/nginx.conf`` (filled in and run unprivileged by ``deploy.nginx``) in front of two
uvicorn processes on Redis and a fresh PostgreSQL database, as the README deploys them; a
thousand readers polling the log's open page through it (``bench.pollers``), while the
publisher process publishes at 1/s. It reports what the updates cost the app (the reads the
servers answered, from their access logs), how nginx answered the readers (its access log)
and the poll-to-screen latency (see BENCHMARKS.md).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import payload, stats
from bench.procs import (
    HOST,
    PYTHON,
    BenchError,
    Process,
    Server,
    free_port,
    fresh_postgres_on_redis,
    manage,
)
from deploy import nginx
from deploy.nginx import ScratchNginx

SLUG = "bench-pollers"
RATE = 1.0
SETUP = """
from liveblog import commands
blog = commands.blog_create(slug=%r, title="Benchmark pollers", actor="bench")
blog = commands.blog_open(blog=blog, actor="bench")
print("BENCH last_seq=%%d" %% blog.last_seq)
"""


def _count_origin_requests(servers: list[Server], slug: str) -> Counter[str]:
    """The reads of the blog the servers answered (their access logs): events and entries."""
    counts: Counter[str] = Counter()
    pattern = re.compile(rf'"GET /api/blogs/{re.escape(slug)}/(events|entries)/')
    for server in servers:
        for line in server.log.read_text(errors="replace").splitlines():
            found = pattern.search(line)
            if found:
                counts[found.group(1)] += 1
    return counts


def _cache_statuses(proxy: ScratchNginx, slug: str) -> Counter[str]:
    """How nginx answered each read of the blog's API: HIT, MISS, EXPIRED, UPDATING..."""
    pattern = re.compile(rf'"GET /api/blogs/{re.escape(slug)}/\S* HTTP/[\d.]+" \d+ \d+ cache=(\S+)')
    statuses: Counter[str] = Counter()
    for line in proxy.access_log():
        found = pattern.search(line)
        if found:
            statuses[found.group(1)] += 1
    return statuses


def pollers_part(run: Any) -> None:
    """deploy/nginx.conf in front of two processes on Redis and PostgreSQL; polling readers."""
    settings = run.settings
    if nginx.binary() is None:
        raise BenchError("skipped: nginx is not installed (apt-get install nginx)")
    name = settings.postgres_database  # the redis target, if it ran, dropped it already
    env = fresh_postgres_on_redis(run.stack, settings.postgres_url, name, settings.redis_url)
    # As the README deploys behind nginx on the same machine.
    env.update(LIVEBLOG_TRUSTED_PROXIES="127.0.0.1", DJANGO_SERVE_STATIC="false")
    run.log(f"pollers: migrating fresh PostgreSQL database {name}")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    out = manage(["shell", "-c", SETUP % SLUG], env, timeout=120)
    found = re.search(r"BENCH last_seq=(\d+)", out)
    if not found:
        raise BenchError(f"creating the benchmark blog printed no seq:\n{out[-500:]}")
    base = int(found.group(1))
    servers = [
        run.serve(
            f"pollers server {i}",
            f"server-pollers-{i}.log",
            env=env,
            ws=settings.ws,
            access_log=True,
        )
        for i in (1, 2)
    ]
    for server in servers:
        server.wait_ready()
    # Its own folder: nginx runs as an unprivileged user, who cannot enter the scratch one.
    folder = Path(tempfile.mkdtemp(prefix="liveblog-bench-nginx-"))
    run.stack.callback(shutil.rmtree, folder, True)
    proxy = ScratchNginx(
        folder, [f"{HOST}:{server.port}" for server in servers], port=free_port(), workers=2
    )
    run.stack.callback(proxy.stop)
    proxy.start()

    count = max(3, round(settings.poll_updates))
    first, last = base + 1, base + count
    out = run.tmp / "pollers.json"
    readers = Process(
        "pollers",
        [
            PYTHON,
            "-m",
            "bench.pollers",
            "--base",
            proxy.http,
            "--slug",
            SLUG,
            "--first",
            str(first),
            "--last",
            str(last),
            "--pollers",
            str(settings.pollers),
            "--interval",
            str(settings.poll_interval),
            "--timeout",
            str(count / RATE + 60),
            "--out",
            str(out),
        ],
        env=None,
        log=run.tmp / "pollers.log",
    )
    run.stack.callback(readers.stop)
    run.log(
        f"pollers: {settings.pollers:,} readers polling every {settings.poll_interval:g} s "
        f"through nginx; {count} updates at {RATE:g}/s"
    )
    time.sleep(settings.poll_interval + 1)  # every poller has asked at least once
    before = _count_origin_requests(servers, SLUG)
    published_file = run.tmp / "publisher-pollers.json"
    publisher = Process(
        "publisher (pollers)",
        [
            PYTHON, "-m", "bench.publisher", "--slug", SLUG, "--count", str(count),
            "--rate", str(RATE), "--size", str(payload.BODY_SIZE), "--out", str(published_file),
        ],
        env=env,
        log=run.tmp / "publisher-pollers.log",
    )  # fmt: skip
    run.stack.callback(publisher.stop)
    if publisher.wait(count / RATE + 120) != 0 or not published_file.exists():
        raise publisher.failure("failed")
    published = json.loads(published_file.read_text())
    if published["errors"]:
        raise BenchError(f"pollers: publishing failed: {published['errors'][:3]}")
    if readers.wait(count / RATE + 90) != 0 or not out.exists():
        raise readers.failure("failed")
    seen = json.loads(out.read_text())
    origin = _count_origin_requests(servers, SLUG) - before
    statuses = _cache_statuses(proxy, SLUG)
    served = sum(statuses.values())
    from_cache = statuses["HIT"] + statuses["STALE"] + statuses["UPDATING"]
    run.results["pollers"] = {
        "pollers": seen["pollers"],
        "interval": seen["interval"],
        "page_limit": seen["page_limit"],
        "updates": published["published"],
        "rate": RATE,
        "achieved_rate": (published["published"] - 1)
        / max(1e-9, published["finished"] - published["started"]),
        "origin_events": origin["events"],
        "origin_entries": origin["entries"],
        "origin_per_update": (origin["events"] + origin["entries"])
        / max(1, published["published"]),
        "requests": seen["requests"],
        "entry_reads": seen["entry_reads"],
        "cache_statuses": dict(statuses),
        "hit_ratio": from_cache / served if served else float("nan"),
        "lost": seen["lost"],
        "expected": seen["pollers"] * seen["expected_per_poller"],
        "errors": seen["errors"],
        **stats.p50_p99_ms(seen["latency"]),
        "max_ms": 1000 * max(seen["latency"], default=float("nan")),
    }
    for stop in (proxy.stop, *(server.stop for server in servers)):
        stop()
