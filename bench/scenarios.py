"""The parts of a benchmark run, and the three fan-out targets they run against.

Targets (each started fresh, measured with the same reader process code and payloads):

``memory``  one uvicorn process, in-memory channel layer, SQLite; updates are published
            inside the server (the only place that reaches its readers), via
            ``bench.asgi_with_publisher``.
``raw``     ``bench.rawserver``: ``websockets.broadcast`` to every connection, no Django.
``redis``   two uvicorn processes on Redis and a fresh PostgreSQL database, readers split
            between them, updates from a separate publisher process (``bench.publisher``;
            ``--redis-publisher server`` publishes inside the first server instead).

Part names for ``--only``: fanout, storm, memory, pages (the reader page, ``?at=`` and the
first render, see ``bench.reader``), import, rebuild, media, webhooks (``bench.webhooks``),
pollers (``bench.polling``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import sys
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from bench import payload, profiling, reader, stats, synthetic
from bench.procs import (
    HOST,
    PYTHON,
    ROOT,
    BenchError,
    PostgresConnections,
    Process,
    Readers,
    Server,
    django_env,
    fresh_postgres,
    fresh_postgres_on_redis,
    manage,
    timed_get,
)
from liveblog.wsprotocol import UVICORN_WS

PARTS = (
    "fanout", "storm", "memory", "pages", "import", "rebuild", "media", "webhooks", "pollers",
)  # fmt: skip
FANOUT_SLUG = "bench-fanout"
SEED_FIXTURE = ROOT / "fixtures" / "evn-report-artsakh-september-2023.txt"
SEED_SLUG = "artsakh-september-2023"
PAGE_PATH = f"/blogs/{SEED_SLUG}/"
API_PATH = f"/api/blogs/{SEED_SLUG}/entries/"
#: Default size of a push message, used for the raw baseline when no liveblog run measured it.
DEFAULT_MESSAGE_BYTES = 1_800
#: Rebuilds of the imported blog per database; the median one is reported.
REBUILD_RUNS = 3
CREATE_BLOG = """
from liveblog import commands
blog = commands.blog_create(slug=%r, title="Benchmark fan-out", actor="bench")
blog = commands.blog_open(blog=blog, actor="bench")
print("BENCH last_seq=%%d" %% blog.last_seq)
"""


@dataclasses.dataclass
class Settings:
    readers: int = 1_000
    seconds: float = 10.0
    rates: tuple[float, ...] = (1.0, 5.0)
    entries: int = 100_000
    page_requests: int = 200
    storm_behind: int = 50
    storm_timeout: float = 60.0
    parts: frozenset[str] = frozenset(PARTS)
    profile: Path | None = None
    redis_publisher: str = "process"
    #: What the readers offer: "deflate" like browsers, or None (no permessage-deflate).
    compression: str | None = "deflate"
    #: Whether the servers (liveblog's and the raw one) accept it; deployed: no (README).
    server_compression: bool = False
    postgres_url: str = "postgres://postgres@127.0.0.1:5432/postgres"
    postgres_database: str = "liveblog_bench"
    redis_url: str = "redis://127.0.0.1:6379/0"
    quick: bool = False
    targets: frozenset[str] = frozenset({"memory", "raw", "redis"})
    #: uvicorn's WebSocket implementation (the README deploys liveblog.wsprotocol's).
    ws: str = UVICORN_WS
    #: The pollers part (``bench.polling``): readers polling through nginx, the seconds
    #: between their polls, and the updates published at 1/s meanwhile.
    pollers: int = 1_000
    poll_interval: float = 2.0
    poll_updates: int = 30


@dataclasses.dataclass
class Run:
    """One benchmark run: its settings, scratch directory, results and cleanup stack."""

    settings: Settings
    tmp: Path
    stack: contextlib.ExitStack
    results: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: (target, rate) -> latencies in seconds, for the plot.
    latencies: dict[tuple[str, float], list[float]] = dataclasses.field(default_factory=dict)

    def wants(self, *parts: str) -> bool:
        return any(part in self.settings.parts for part in parts)

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def serve(self, name: str, log: str, *, env: dict[str, str], **options: Any) -> Server:
        """Start a server of the project (``Server.liveblog``), stopped when the run ends."""
        server = Server.liveblog(name, env=env, log=self.tmp / log, **options)
        self.stack.callback(server.stop)
        return server

    def error(self, key: str, exc: BaseException) -> None:
        self.results.setdefault("errors", {})[key] = str(exc)
        self.log(f"{key} failed: {exc}")


# --- helpers --------------------------------------------------------------------------------


def _create_blog(env: dict[str, str]) -> int:
    out = manage(["shell", "-c", CREATE_BLOG % FANOUT_SLUG], env, timeout=120)
    found = re.search(r"BENCH last_seq=(\d+)", out)
    if not found:
        raise BenchError(f"creating the benchmark blog printed no seq:\n{out[-500:]}")
    return int(found.group(1))


def _timed_gets(port: int, path: str, count: int, warmup: int = 10) -> dict[str, Any]:
    """``count`` sequential GETs of ``path`` on one keep-alive connection."""
    conn = HTTPConnection(HOST, port, timeout=30)
    timings: list[float] = []
    try:
        for index in range(warmup + count):
            status, body, elapsed = timed_get(conn, path)
            if status != 200:
                return {"status": status, "bytes": len(body)}
            if index >= warmup:
                timings.append(elapsed)
    finally:
        conn.close()
    return {
        "status": 200,
        "requests": len(timings),
        "bytes": len(body),
        **stats.p50_p99_ms(timings),
    }


def _rss_settled(server: Server, seconds: float = 2.0) -> int:
    time.sleep(seconds)
    return server.rss_kb()


class _Publisher:
    """Publish ``count`` updates at ``rate`` on a target, the way that target needs."""

    def __init__(
        self, run: Run, target: str, servers: list[Server], env: dict[str, str] | None, mode: str
    ) -> None:
        self.run, self.target, self.servers, self.env, self.mode = run, target, servers, env, mode

    def publish(self, count: int, rate: float, size: int) -> dict[str, Any]:
        timeout = count / rate + 60
        if self.mode in {"server", "raw"}:
            server = self.servers[0]
            server.publish(slug=FANOUT_SLUG, count=count, rate=rate, size=size)
            return server.wait_published(timeout, expected=(count - 1) / rate)
        out = self.run.tmp / f"publisher-{self.target}-{rate:g}-{time.monotonic_ns()}.json"
        process = Process(
            "publisher",
            [
                PYTHON,
                "-m",
                "bench.publisher",
                "--slug",
                FANOUT_SLUG,
                "--count",
                str(count),
                "--rate",
                str(rate),
                "--size",
                str(size),
                "--out",
                str(out),
            ],
            env=self.env,
            log=self.run.tmp / "publisher.log",
        )
        try:
            if process.wait(timeout + 30) != 0 or not out.exists():
                raise process.failure("failed")
        finally:
            process.stop()
        return json.loads(out.read_text())


def _summarise_publish(run: dict[str, Any]) -> dict[str, Any]:
    calls = run.pop("call_seconds", [])
    elapsed = (run.get("finished") or 0) - (run.get("started") or 0)
    run["call_p50_ms"] = 1000 * stats.median(calls)
    run["call_max_ms"] = 1000 * max(calls) if calls else float("nan")
    run["achieved_rate"] = (
        (run["published"] - 1) / elapsed if elapsed > 0 and run["published"] > 1 else float("nan")
    )
    return run


def _profile(
    run: Run, target: str, servers: list[Server], seconds: float
) -> list[tuple[Any, Path]]:
    profile_dir = run.settings.profile
    if profile_dir is None:
        return []
    profile_dir.mkdir(parents=True, exist_ok=True)
    started = []
    for index, server in enumerate(servers, start=1):
        out = profile_dir / f"{target}-server{index}.txt"
        proc = profiling.start(server.pid, seconds, out)
        if proc is None:
            run.log("--profile: py-spy is not installed (pip install py-spy); no profile")
            return []
        started.append((proc, out))
    return started


def _finish_profiles(run: Run, profiles: list[tuple[Any, Path]]) -> None:
    for proc, out in profiles:
        try:
            proc.wait(60)
        except Exception:
            proc.kill()
            proc.wait(5)
        if out.exists():
            summary = out.with_suffix(".summary.txt")
            summary.write_text(profiling.summarise(out))
            run.log(f"profile: {out} (summary: {summary})")


# --- fan-out, storm and memory against one target -------------------------------------------


def _fanout(
    run: Run,
    target: str,
    servers: list[Server],
    publisher: _Publisher,
    base: int,
    *,
    message_size: int,
) -> None:
    """Connect the readers, then measure memory, fan-out at each rate and the storm."""
    settings = run.settings
    readers = Readers(f"readers ({target})", log=run.tmp / f"readers-{target}.log")
    run.stack.callback(readers.stop)
    urls = [server.ws_url(FANOUT_SLUG) for server in servers]
    after = "" if target == "raw" else f"?after={base}"
    measure_memory = run.wants("memory") and target in {"memory", "raw"}
    if measure_memory:
        # Warm up first (code paths, thread pool, allocator), then take the baseline.
        readers.ask(
            60,
            op="connect",
            urls=[u + after for u in urls],
            n=10,
            timeout=30,
            compression=settings.compression,
        )
        readers.ask(60, op="close")
        before = _rss_settled(servers[0], 1.0)
    run.log(f"{target}: connecting {settings.readers} readers")
    connected = readers.ask(
        240,
        op="connect",
        urls=[u + after for u in urls],
        n=settings.readers,
        timeout=60,
        compression=settings.compression,
    )
    run.results.setdefault("connect", {})[target] = connected
    if connected["failed"]:
        run.log(f"{target}: {connected['failed']} readers could not connect: {connected['errors']}")
    if measure_memory:
        after_kb = _rss_settled(servers[0])
        run.results.setdefault("memory", {})[target] = {
            "before_kb": before,
            "after_kb": after_kb,
            "connections": connected["connected"],
            "per_connection_kb": (after_kb - before) / max(1, connected["connected"]),
        }

    last = base
    if run.wants("fanout"):
        for rate in settings.rates:
            count = max(3, round(settings.seconds * rate))
            run.log(f"{target}: {count} updates at {rate:g}/s")
            profiles = (
                _profile(run, target, servers, count / rate - 1)
                if rate == max(settings.rates)
                else []
            )
            try:
                published = _summarise_publish(publisher.publish(count, rate, message_size))
            finally:
                _finish_profiles(run, profiles)
            if published.get("errors"):
                run.log(f"{target}: publishing errors: {published['errors'][:3]}")
            if not published.get("published"):
                raise BenchError(f"{target}: nothing was published at {rate:g}/s")
            out = run.tmp / f"latency-{target}-{rate:g}.json"
            check = readers.ask(
                120,
                op="collect",
                first=published["first_seq"],
                last=published["last_seq"],
                timeout=30,
                out=str(out),
            )
            data = json.loads(out.read_text())
            run.latencies[(target, rate)] = data["latency"]
            first_third, last_third = stats.thirds(data["seq"], data["latency"])
            by_seq: dict[int, list[float]] = {}
            for seq, latency in zip(data["seq"], data["latency"], strict=True):
                by_seq.setdefault(seq, []).append(latency)
            run.results.setdefault("fanout", []).append(
                {
                    "target": target,
                    "rate": rate,
                    "updates": published["published"],
                    "expected": count,
                    **stats.p50_p99_ms(data["latency"]),
                    "max_ms": 1000 * max(data["latency"], default=float("nan")),
                    "first_third_p50_ms": 1000 * first_third,
                    "last_third_p50_ms": 1000 * last_third,
                    "check": check,
                    "publish": published,
                    "per_update_p50_ms": [
                        round(1000 * stats.median(by_seq[seq]), 1) for seq in sorted(by_seq)
                    ],
                }
            )
            run.results.setdefault("message_bytes", {})[target] = check["message_bytes"]
            last = published["last_seq"]

    if run.wants("storm") and target != "raw":
        behind = settings.storm_behind
        if last - base < behind:
            # Not enough history yet (e.g. --only storm): publish it quickly first.
            published = publisher.publish(behind, 25.0, message_size)
            readers.ask(
                120,
                op="collect",
                first=published["first_seq"],
                last=published["last_seq"],
                timeout=30,
                out=str(run.tmp / "discard.json"),
            )
            last = published["last_seq"]
        run.log(f"{target}: reconnect storm, {settings.readers} readers {behind} events behind")
        profiles = _profile(run, f"{target}-storm", servers, 10)
        try:
            storm = readers.ask(
                settings.storm_timeout + 60,
                op="storm",
                urls=urls,
                after=last - behind,
                last=last,
                timeout=settings.storm_timeout,
            )
        finally:
            _finish_profiles(run, profiles)
        run.results.setdefault("storm", {})[target] = storm
    readers.stop()


def memory_target(run: Run) -> None:
    """One uvicorn process, in-memory layer, SQLite: pages, memory, fan-out and storm."""
    settings = run.settings
    database = run.tmp / "bench.sqlite3"
    env = django_env(f"sqlite:///{database}")
    env["LIVEBLOG_MEDIA_ROOT"] = str(run.tmp / "media-pages")
    run.log("in-memory: migrating a fresh SQLite database")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    seed: dict[str, Any] = {}
    if run.wants("pages"):
        manage(
            [
                "import_liveblog",
                str(SEED_FIXTURE),
                "--slug",
                SEED_SLUG,
                "--timezone",
                "Asia/Yerevan",
                "-v",
                "0",
            ],
            env,
            timeout=180,
        )
        seed = reader.prepare(env, SEED_SLUG)
    base = _create_blog(env)
    server = run.serve(
        "in-memory server",
        "server-memory.log",
        env=env,
        ws=settings.ws,
        compression=settings.server_compression,
    )
    server.wait_ready()
    if run.wants("pages"):
        run.log("pages: timing the reader page and the API list")
        run.results["pages"] = {
            "page": _timed_gets(server.port, PAGE_PATH, settings.page_requests),
            "api": _timed_gets(server.port, API_PATH, settings.page_requests),
            "key_events": seed["key_events"],
        }
        run.log("pages: timing ?at= across the coverage, and the first render in Chromium")
        moments = reader.coverage_moments(seed)
        run.results["pages"]["at"] = reader.time_moments(server.port, PAGE_PATH, moments)
        try:
            run.results["pages"]["render"] = reader.first_render(server.port, PAGE_PATH)
        except BenchError as exc:
            run.error("first render", exc)
    if run.wants("fanout", "storm", "memory"):
        publisher = _Publisher(run, "memory", [server], env, "server")
        _fanout(run, "memory", [server], publisher, base, message_size=payload.BODY_SIZE)
    server.stop()


def raw_target(run: Run) -> None:
    """The websockets.broadcast baseline, with liveblog's measured message size."""
    server = Server.raw(
        "raw server", log=run.tmp / "server-raw.log", compression=run.settings.server_compression
    )
    run.stack.callback(server.stop)
    server.wait_ready()
    size = round(run.results.get("message_bytes", {}).get("memory") or DEFAULT_MESSAGE_BYTES)
    _fanout(
        run, "raw", [server], _Publisher(run, "raw", [server], None, "raw"), 0, message_size=size
    )
    server.stop()


def redis_target(run: Run) -> None:
    """Two uvicorn processes on Redis and a fresh PostgreSQL database."""
    settings = run.settings
    name = settings.postgres_database
    env = fresh_postgres_on_redis(run.stack, settings.postgres_url, name, settings.redis_url)
    run.log(f"redis: migrating fresh PostgreSQL database {name}")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    base = _create_blog(env)
    servers = [
        run.serve(
            f"redis server {i}",
            f"server-redis-{i}.log",
            env=env,
            ws=settings.ws,
            compression=settings.server_compression,
        )
        for i in (1, 2)
    ]
    health = [server.wait_ready() for server in servers]
    # Each server's connections, by the application_name its settings gave them.
    names = [about["database"]["application_name"] for about in health]
    watch = PostgresConnections(settings.postgres_url, names)
    run.stack.callback(watch.stop)
    watch.start()
    publisher = _Publisher(run, "redis", servers, env, settings.redis_publisher)
    _fanout(run, "redis", servers, publisher, base, message_size=payload.BODY_SIZE)
    watch.stop()
    run.results.setdefault("db_connections", {})["redis"] = {
        "peaks": [watch.peaks[name] for name in names],
        "pool_max_size": health[0]["database"]["pool_max_size"],
        "samples": watch.samples,
    }
    for server in servers:
        server.stop()


# --- import and rebuild ----------------------------------------------------------------------


def _import_html_page(run: Run, env: dict[str, str]) -> None:
    """Import a 5 MB saved live page (HTML) into its own blog, process start included."""
    page = run.tmp / "synthetic-page.html"
    updates = synthetic.write_html_page(page)
    size = page.stat().st_size
    run.log(f"import: a saved HTML page of {size / 1e6:.1f} MB with {updates:,} updates")
    started = time.perf_counter()
    out = manage(
        ["import_liveblog", str(page), "--slug", "synthetic-html", "--timezone", "UTC", "-v", "0"],
        env,
        timeout=300,
    )
    seconds = time.perf_counter() - started
    found = re.search(r"(\d+) published", out)
    published = int(found.group(1)) if found else 0
    if published != updates:
        raise BenchError(f"the HTML import published {published} of {updates} updates:\n{out}")
    run.results["import_html"] = {"bytes": size, "updates": updates, "seconds": seconds}


def _import_synthetic(source: Path, env: dict[str, str]) -> str:
    return manage(
        [
            "import_liveblog",
            str(source),
            "--slug",
            "synthetic",
            "--timezone",
            "Asia/Yerevan",
            "--year",
            str(synthetic.LAST_DAY.year),
            "-v",
            "0",
        ],
        env,
        timeout=900,
    )


def import_and_rebuild(run: Run) -> None:
    settings = run.settings
    database = run.tmp / "import.sqlite3"
    env = django_env(f"sqlite:///{database}")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    source = run.tmp / "synthetic.txt"
    days = synthetic.write_day_headings(source, settings.entries)
    run.log(
        f"import: {settings.entries:,} entries over {days} days "
        f"({source.stat().st_size / 1e6:.1f} MB)"
    )
    started = time.perf_counter()
    out = _import_synthetic(source, env)
    seconds = time.perf_counter() - started
    found = re.search(r"(\d+) published", out)
    published = int(found.group(1)) if found else 0
    run.results["import"] = {
        "entries": settings.entries,
        "published": published,
        "seconds": seconds,
        "rate": published / seconds,
    }
    if published != settings.entries:
        raise BenchError(f"import published {published} of {settings.entries} entries:\n{out}")
    if run.wants("import"):
        _import_html_page(run, env)
    if not run.wants("rebuild"):
        return
    run.results["rebuild"] = _rebuild(run, env, "SQLite")
    _rebuild_on_postgres(run, source)


def _rebuild_on_postgres(run: Run, source: Path) -> None:
    """The same blog imported into a fresh PostgreSQL database, and rebuilt there."""
    settings = run.settings
    name = settings.postgres_database
    env = fresh_postgres(run.stack, settings.postgres_url, name)
    run.log(f"rebuild: importing the synthetic blog into PostgreSQL database {name}")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    _import_synthetic(source, env)
    run.results["rebuild_postgres"] = _rebuild(run, env, "PostgreSQL")


def _rebuild(run: Run, env: dict[str, str], database: str) -> dict[str, Any]:
    """Replay the synthetic blog ``REBUILD_RUNS`` times; the median run's figures."""
    runs = []
    for attempt in range(1, REBUILD_RUNS + 1):
        run.log(f"rebuild: replaying the synthetic blog on {database} ({attempt}/{REBUILD_RUNS})")
        out = manage(["rebuild_projections", "synthetic"], env, timeout=900)
        found = re.search(r"Replayed ([\d,]+) events .* in ([\d.]+) s \(([\d,]+) events/s\)", out)
        if not found:
            raise BenchError(f"rebuild_projections printed no rate:\n{out}")
        runs.append(
            {
                "events": int(found.group(1).replace(",", "")),
                "seconds": float(found.group(2)),
                "rate": int(found.group(3).replace(",", "")),
            }
        )
    median = sorted(runs, key=lambda figures: figures["rate"])[len(runs) // 2]
    return {**median, "rates": [figures["rate"] for figures in runs]}
