"""``python -m bench``: run the benchmarks and print one table (see BENCHMARKS.md).

python -m bench                      # full run: 1,000 readers, 100,000-entry import
python -m bench --quick              # smoke run: 200 readers, 5 s per rate, 10,000 entries
python -m bench --only fanout,storm  # some parts only (fanout, storm, memory, pages,
                                     # import, rebuild, media, webhooks, pollers)
python -m bench --only pollers       # 1,000 readers polling through nginx
python -m bench --profile /tmp/prof  # also sample the servers with py-spy at the top rate
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import machine, media, polling, report, scenarios, webhooks
from bench.limits import raise_fd_limit
from bench.procs import ROOT, BenchError
from liveblog.caching import POLL_SECONDS
from liveblog.wsprotocol import UVICORN_WS

PLOT = ROOT / "bench" / "latency.png"
BUDGET_SECONDS = 300


class _Deadline(Exception):
    pass


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="liveblog benchmarks: prints one table."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 200 readers, 5 s per rate, 10,000-entry import",
    )
    parser.add_argument(
        "--only",
        default=",".join(scenarios.PARTS),
        help=f"comma-separated parts: {', '.join(scenarios.PARTS)}",
    )
    parser.add_argument(
        "--targets",
        default="memory,raw,redis",
        help="fan-out targets to run: memory, raw, redis (default all three)",
    )
    parser.add_argument("--readers", type=int, help="WebSocket readers (default 1000; quick 200)")
    parser.add_argument("--seconds", type=float, help="seconds of updates per rate (10; quick 5)")
    parser.add_argument("--entries", type=int, help="entries to import (100000; quick 10000)")
    parser.add_argument(
        "--pollers", type=int, help="readers polling through nginx (default 1000; quick 200)"
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=float(POLL_SECONDS),
        help=f"seconds between a poller's polls ({POLL_SECONDS}: the reader page's)",
    )
    parser.add_argument(
        "--redis-publisher",
        choices=["process", "server"],
        default="process",
        help="on Redis, publish from a separate process (default) or inside the first server",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server to create the throwaway bench database on",
    )
    parser.add_argument(
        "--postgres-database",
        help="name of the throwaway bench database, dropped before and after (default "
        "liveblog_bench_<pid>); on a shared server, one that is yours",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument(
        "--plot",
        type=Path,
        help="where to write the latency plot (full "
        f"run: {PLOT.relative_to(ROOT)}; quick run: none)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy profiles of the servers at the top rate here"
    )
    parser.add_argument(
        "--ws",
        default=UVICORN_WS,
        choices=[UVICORN_WS, "websockets-sansio", "websockets", "wsproto"],
        help="uvicorn's WebSocket implementation for the liveblog servers (default "
        f"{UVICORN_WS}, as the README deploys: websockets-sansio keeping less per socket)",
    )
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="readers do not offer permessage-deflate (browsers do)",
    )
    parser.add_argument(
        "--server-compression",
        action="store_true",
        help="the servers, liveblog's and the raw one, accept permessage-deflate (the README "
        "deploys without it)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch directory (server logs, databases)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=1200,
        help="stop everything after this many seconds (default 1200)",
    )
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = parts - set(scenarios.PARTS)
    if unknown:
        parser.error(
            f"unknown part(s) {', '.join(sorted(unknown))}; "
            f"choose from {', '.join(scenarios.PARTS)}"
        )
    args.parts = frozenset(parts)
    targets = {t.strip() for t in args.targets.split(",") if t.strip()}
    if targets - {"memory", "raw", "redis"}:
        parser.error("--targets takes memory, raw and redis")
    args.target_set = frozenset(targets)
    return args


def _settings(args: argparse.Namespace) -> scenarios.Settings:
    quick = args.quick
    return scenarios.Settings(
        readers=args.readers or (200 if quick else 1_000),
        seconds=args.seconds or (5.0 if quick else 10.0),
        entries=args.entries or (10_000 if quick else 100_000),
        pollers=args.pollers or (200 if quick else 1_000),
        poll_interval=args.poll_interval,
        poll_updates=10 if quick else 30,
        page_requests=50 if quick else 200,
        parts=args.parts,
        profile=args.profile,
        redis_publisher=args.redis_publisher,
        compression=None if args.no_compression else "deflate",
        server_compression=args.server_compression,
        targets=args.target_set,
        ws=args.ws,
        postgres_url=args.postgres_url,
        postgres_database=args.postgres_database or f"liveblog_bench_{os.getpid()}",
        redis_url=args.redis_url,
        quick=quick,
    )


def _on_signal(signum: int, frame: Any) -> None:
    if signum == signal.SIGALRM:
        raise _Deadline("the run reached --time-limit")
    raise SystemExit(128 + signum)


def _run_parts(run: scenarios.Run) -> None:
    steps = [
        ("memory", scenarios.memory_target, ("fanout", "storm", "memory", "pages")),
        ("raw", scenarios.raw_target, ("fanout", "memory")),
        ("redis", scenarios.redis_target, ("fanout", "storm")),
        ("import", scenarios.import_and_rebuild, ("import", "rebuild")),
        ("media", media.media_part, ("media",)),
        ("webhooks", webhooks.webhooks_target, ("webhooks",)),
        ("pollers", polling.pollers_part, ("pollers",)),
    ]
    for name, step, parts in steps:
        if not run.wants(*parts) or name not in run.settings.targets | {
            "import",
            "media",
            "webhooks",
            "pollers",
        }:
            continue
        started = time.monotonic()
        try:
            # Each target cleans up after itself, whether it finished or failed.
            with contextlib.ExitStack() as stack:
                run.stack = stack
                step(run)
        except BenchError as exc:
            run.error(name, exc)
        except Exception as exc:  # a bug in the bench: show it, go on with the other parts
            traceback.print_exc()
            run.error(name, BenchError(f"{type(exc).__name__}: {exc}"))
        run.results.setdefault("seconds", {})[name] = time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    settings = _settings(args)
    raise_fd_limit()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGALRM, _on_signal)
    signal.alarm(int(args.time_limit))
    about = machine.describe()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="liveblog-bench-"))
    run = scenarios.Run(settings=settings, tmp=tmp, stack=contextlib.ExitStack())
    mode = "quick" if settings.quick else "full"
    run.log(f"{mode} run; scratch files in {tmp}")
    interrupted = None
    try:
        _run_parts(run)
    except (_Deadline, KeyboardInterrupt, SystemExit) as exc:
        interrupted = exc
        run.error("run", BenchError(f"interrupted: {exc or type(exc).__name__}"))
    finally:
        signal.alarm(0)
        run.stack.close()
        if args.keep:
            run.log(f"kept the scratch directory {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    total = time.monotonic() - started

    title = (
        f"liveblog benchmarks, {mode} run: {about['date']}; {about['cpu']}, "
        f"{about['cores']} cores; Python {about['python']}; {about['system']}"
    )
    print()
    print(title)
    print(f"load average at start: {about['load']}; run took {total:.0f} s")
    offered = "offer permessage-deflate" if settings.compression else "offer no compression"
    accepted = "accept it" if settings.server_compression else "decline it, as deployed"
    print(f"uvicorn --ws {settings.ws}; readers {offered}; all servers {accepted}")
    print()
    print(report.markdown(report.rows(run.results, behind=settings.storm_behind)))
    print()
    for line in report.notes(run.results):
        print(f"- {line}")
    if total > BUDGET_SECONDS and not settings.quick:
        slow = sorted(run.results.get("seconds", {}).items(), key=lambda kv: -kv[1])
        print(
            f"- over the {BUDGET_SECONDS // 60}-minute budget: "
            + ", ".join(f"{name} {secs:.0f} s" for name, secs in slow)
        )
    print(
        "- latency: reader's time.time() on arrival minus the publisher's, taken just "
        "before entry_publish (or websockets.broadcast); medians of one run, noisy machine"
    )

    plot_path = args.plot or (None if settings.quick else PLOT)
    if plot_path and run.latencies:
        if report.plot(run.latencies, plot_path, title):
            print(f"- plot: {plot_path}")
        else:
            print("- plot skipped: matplotlib is not installed (pip install matplotlib)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": about, "mode": mode, "seconds": total, **run.results},
                indent=2,
                default=str,
            )
        )
    if interrupted is not None:
        return 130
    return (
        1
        if any(not str(m).startswith("skipped") for m in run.results.get("errors", {}).values())
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
