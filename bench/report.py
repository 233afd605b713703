"""The one table a run prints (Markdown, so it pastes into BENCHMARKS.md), and the plot."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bench import stats

TARGETS = {
    "raw": "raw websockets.broadcast",
    "memory": "in-memory layer, 1 process",
    "redis": "Redis + PostgreSQL, 2 processes",
}
#: Goals from the issue.
P99_VS_RAW = 2.0
STORM_SECONDS = 3.0
IMPORT_HTML_SECONDS = 2.0
REBUILD_RATE = 20_000
IMPORT_RATE = 5_000
PAGE_P50_MS = 30.0
#: Issue 17: the page as it stood, and the first render.
AT_P50_MS = 100.0
HTML_KB = 150
JS_KB = 30
KB_PER_CONNECTION = 50.0
#: ... and at most this many times the raw server's, measured in the same run (issue 18).
RAW_MEMORY_RATIO = 1.3
#: Issue 14: uploads, a page of images, a push message with one.
MEDIA_UPLOAD_SECONDS = 1.5
MEDIA_PAGE_P50_MS = 30.0
#: Issue 17: the page as it stood, and the first render.
AT_P50_MS = 100.0
HTML_KB = 150
JS_KB = 30
MEDIA_PUSH_BYTES = 3_000
WEBHOOK_P99_MS = 1000.0
#: Readers polling through nginx: what each update may cost the app, at most.
ORIGIN_PER_UPDATE = 5
#: "No growing backlog": the last third of the updates arrives about as fast as the first,
#: under a second (more would be 5+ updates queued at 5/s), and the publisher kept the pace.
BACKLOG_FACTOR, BACKLOG_SLACK_MS, BACKLOG_CEILING_MS, PACE = 1.5, 20.0, 1000.0, 0.9


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def _ms(value: float) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _fanout_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    runs = results.get("fanout", [])
    raw = {r["rate"]: r for r in runs if r["target"] == "raw"}
    for rate in sorted({r["rate"] for r in runs}):
        for target in ("raw", "memory", "redis"):
            r = next((x for x in runs if x["target"] == target and x["rate"] == rate), None)
            if r is None:
                continue
            check = r["check"]
            total = check["readers"] * check["expected_per_reader"]
            figure = (
                f"p50 {_ms(r['p50_ms'])} / p99 {_ms(r['p99_ms'])} / max {_ms(r['max_ms'])} ms; "
                f"lost {check['lost']:,} of {total:,}"
            )
            extra = [
                f"{label} {check[key]}"
                for key, label in (
                    ("duplicates", "dup"),
                    ("out_of_order", "disorder"),
                    ("closed", "closed"),
                )
                if check[key]
            ]
            if extra:
                figure += "; " + ", ".join(extra)
            if target == "raw":
                goal, verdict = "(baseline)", ""
            else:
                base = raw.get(rate)
                ratio = r["p99_ms"] / base["p99_ms"] if base and base["p99_ms"] > 0 else None
                if ratio is not None:
                    figure += f"; p99 {ratio:.1f}x raw"
                # A run that could not publish at the rate is not comparable with the baseline.
                achieved = r["publish"].get("achieved_rate") or math.nan
                kept_pace = not achieved < PACE * rate
                if not kept_pace:
                    figure += f"; only {achieved:.1f}/s published"
                ok = (
                    None
                    if ratio is None
                    else ratio <= P99_VS_RAW and check["lost"] == 0 and kept_pace
                )
                goal, verdict = f"p99 <= {P99_VS_RAW:g}x raw, 0 lost, pace", _verdict(ok)
            rows.append(
                [
                    f"fan-out {rate:g}/s, {check['readers']:,} readers",
                    TARGETS[target],
                    figure,
                    goal,
                    verdict,
                ]
            )
    top = max((r["rate"] for r in runs), default=None)
    for r in runs:
        if r["rate"] != top or r["target"] == "raw":
            continue
        first, last = r["first_third_p50_ms"], r["last_third_p50_ms"]
        achieved = r["publish"].get("achieved_rate") or math.nan
        kept_pace = not achieved < PACE * top  # NaN (one update) counts as kept
        ok = (
            last <= BACKLOG_FACTOR * first + BACKLOG_SLACK_MS
            and last < BACKLOG_CEILING_MS
            and kept_pace
        )
        figure = f"p50 first third {_ms(first)} ms, last third {_ms(last)} ms"
        if not math.isnan(achieved):
            figure += f"; published at {achieved:.2f}/s"
        rows.append(
            [
                f"backlog at {top:g}/s",
                TARGETS[r["target"]],
                figure,
                f"last <= {BACKLOG_FACTOR:g}x first + {BACKLOG_SLACK_MS:g} ms and "
                f"< {BACKLOG_CEILING_MS / 1000:g} s; pace >= {PACE:.0%}",
                _verdict(ok),
            ]
        )
    return rows


def _storm_rows(results: dict[str, Any], behind: int) -> list[list[str]]:
    rows = []
    for target, s in results.get("storm", {}).items():
        seconds = s.get("seconds")
        total = s["readers"] + s["failed_connects"]
        exact = s["exact"] == s["readers"] and not s["failed_connects"]
        if seconds is not None:
            figure = f"all caught up in {seconds:.2f} s (median reader {s['median_seconds']:.2f} s)"
        elif s["caught_up"]:
            figure = (
                f"{s['caught_up']:,} of {total:,} caught up (median {s['median_seconds']:.1f} s, "
                f"slowest {s['slowest_seconds']:.1f} s)"
            )
        else:
            figure = f"none of {total:,} caught up"
        if s["failed_connects"]:
            errors = "; ".join(s.get("connect_errors") or [])[:80]
            figure += f"; {s['failed_connects']:,} could not reconnect ({errors})"
        figure += (
            f"; lost {s['lost']}, dup {s['duplicates']}, disorder {s['out_of_order']}, "
            f"exact {s['exact']:,}/{total:,}"
        )
        ok = seconds is not None and seconds < STORM_SECONDS and exact
        rows.append(
            [
                f"reconnect storm, {total:,} readers {behind} behind",
                TARGETS[target],
                figure,
                f"< {STORM_SECONDS:g} s, exact seqs",
                _verdict(ok),
            ]
        )
    return rows


def _media_rows(m: dict[str, Any] | None) -> list[list[str]]:
    if not m:
        return []
    uploads = m["upload_seconds"]
    median = stats.median(uploads)
    megabytes = stats.median(m["upload_bytes"]) / 1e6
    rows = [
        [
            f"image upload, {len(uploads)} x 12-megapixel JPEG",
            f"{megabytes:.1f} MB each, to stored renditions, SQLite",
            f"median {median:.2f} s (max {max(uploads):.2f} s)",
            f"median < {MEDIA_UPLOAD_SECONDS:g} s",
            _verdict(median < MEDIA_UPLOAD_SECONDS),
        ],
        [
            "push message, entry with an image",
            "JSON text a reader receives",
            f"{m['push_bytes']:,} bytes",
            f"< {MEDIA_PUSH_BYTES:,} bytes",
            _verdict(m["push_bytes"] < MEDIA_PUSH_BYTES),
        ],
    ]
    p = m.get("page")
    if p is not None:
        ok = p["status"] == 200
        rows.append(
            [
                f"reader page, 50 entries with 50 images, {p.get('requests', 0)} GETs",
                "1 process, SQLite",
                f"p50 {_ms(p['p50_ms'])} / p99 {_ms(p['p99_ms'])} ms ({p['bytes']:,} bytes)"
                if ok
                else f"error: HTTP {p['status']}",
                f"p50 < {MEDIA_PAGE_P50_MS:g} ms",
                _verdict(ok and p["p50_ms"] < MEDIA_PAGE_P50_MS),
            ]
        )
    return rows


def _webhook_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for w in results.get("webhooks", []):
        healthy = w["subscribers"] - 1
        total = healthy * w["expected_per_subscriber"]
        resumed = w["late_resumed_seconds"]
        late = (
            f"the one down {w['late_down_seconds']:g} s: {w['late_received']} of "
            f"{w['expected_per_subscriber']}"
            + (" in order" if w["late_in_order"] else " OUT OF ORDER")
            + (f", resumed {resumed:.1f} s after it came back" if resumed is not None else "")
        )
        figure = (
            f"healthy p50 {_ms(w['p50_ms'])} / p99 {_ms(w['p99_ms'])} / max {_ms(w['max_ms'])} "
            f"ms, lost {w['lost']} of {total:,}, dup {w['duplicates']}, disorder "
            f"{w['out_of_order']}; {late}"
        )
        ok = (
            w["p99_ms"] < WEBHOOK_P99_MS
            and w["lost"] == 0
            and w["out_of_order"] == 0
            and w["late_lost"] == 0
            and w["late_in_order"]
        )
        rows.append(
            [
                f"webhooks, {w['subscribers']} subscribers, 1 down then back, "
                f"{w['updates']} updates",
                f"{w['backend']}, {w['workers']} worker process{'es' if w['workers'] > 1 else ''}",
                figure,
                f"p99 < {WEBHOOK_P99_MS / 1000:g} s, 0 lost, in order",
                _verdict(ok),
            ]
        )
    return rows


def rows(results: dict[str, Any], *, behind: int) -> list[list[str]]:
    table = _fanout_rows(results) + _storm_rows(results, behind) + _webhook_rows(results)
    if "import" in results:
        i = results["import"]
        table.append(
            [
                f"import, {i['entries']:,} entries",
                "day_headings text, SQLite",
                f"{i['rate']:,.0f} entries/s ({i['published']:,} in {i['seconds']:.1f} s, "
                "parse + import, process start included)",
                f">= {IMPORT_RATE:,}/s",
                _verdict(i["rate"] >= IMPORT_RATE),
            ]
        )
    if "import_html" in results:
        h = results["import_html"]
        table.append(
            [
                f"import, a {h['bytes'] / 1e6:.1f} MB HTML page",
                f"{h['updates']:,} updates in time elements, SQLite",
                f"{h['seconds']:.2f} s (parse + import, process start included)",
                f"< {IMPORT_HTML_SECONDS:g} s",
                _verdict(h["seconds"] < IMPORT_HTML_SECONDS),
            ]
        )
    for key, database in (("rebuild", "SQLite"), ("rebuild_postgres", "PostgreSQL")):
        if key not in results:
            continue
        b = results[key]
        runs = b.get("rates", [b["rate"]])
        table.append(
            [
                f"projection rebuild, {b['events']:,} events",
                database,
                f"{b['rate']:,} events/s ({b['seconds']:.1f} s; median of "
                f"{', '.join(f'{rate:,}' for rate in runs)})",
                f">= {REBUILD_RATE:,}/s",
                _verdict(b["rate"] >= REBUILD_RATE),
            ]
        )
    table.extend(_media_rows(results.get("media")))
    pages = results.get("pages", {})
    for key, label, goal in (("page", "reader page", True), ("api", "API entry list", False)):
        p = pages.get(key)
        if p is None:
            continue
        name = f"{label}, {p.get('requests', 0)} sequential GETs"
        if p["status"] == 200:
            figure = f"p50 {_ms(p['p50_ms'])} / p99 {_ms(p['p99_ms'])} ms ({p['bytes']:,} bytes)"
            verdict = _verdict(p["p50_ms"] < PAGE_P50_MS) if goal else ""
        elif key == "api" and p["status"] == 404:
            figure, verdict = "n/a (API not present)", "n/a"
        else:
            figure, verdict = f"error: HTTP {p['status']}", "MISS" if goal else ""
        rows_goal = f"p50 < {PAGE_P50_MS:g} ms" if goal else "(no goal)"
        setup = "artsakh-september-2023, 1 process"
        if key == "page" and "key_events" in pages:
            setup += f", key events box ({pages['key_events']} key events)"
        table.append([name, setup, figure, rows_goal, verdict])
    table.extend(_reader_rows(pages))
    table.extend(_memory_rows(results.get("memory", {})))
    for target, c in results.get("db_connections", {}).items():
        bound = c["pool_max_size"]
        peaks = ", ".join(f"process {n}: {peak}" for n, peak in enumerate(c["peaks"], start=1))
        table.append(
            [
                "PostgreSQL connections per server process, peak",
                TARGETS[target],
                f"{peaks} (pg_stat_activity, {c['samples']:,} samples over the run)",
                f"<= DATABASE_POOL_MAX_SIZE ({bound})",
                _verdict(max(c["peaks"], default=0) <= bound if bound else None),
            ]
        )
    table += _pollers_rows(results)
    for key, message in results.get("errors", {}).items():
        first = message.strip().splitlines()[0] if message.strip() else "failed"
        verdict = "n/a" if first.startswith("skipped") else "ERROR"
        table.append([key, "", first[:160], "", verdict])
    return table


def _pollers_rows(results: dict[str, Any]) -> list[list[str]]:
    p = results.get("pollers")
    if p is None:
        return []
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(p["cache_statuses"].items()))
    figure = (
        f"{p['origin_per_update']:.1f} origin requests per update ({p['origin_events']} log "
        f"pages, {p['origin_entries']} entries for {p['updates']} updates); cache hit ratio "
        f"{p['hit_ratio']:.2%} of {p['requests']:,} requests ({statuses}); poll-to-screen "
        f"p50 {_ms(p['p50_ms'])} / p99 {_ms(p['p99_ms'])} / max {_ms(p['max_ms'])} ms; "
        f"lost {p['lost']:,} of {p['expected']:,}"
    )
    if p["errors"]:
        figure += f"; errors {p['errors']}"
    ok = p["origin_per_update"] <= ORIGIN_PER_UPDATE and p["lost"] == 0 and not p["errors"]
    return [
        [
            f"{p['pollers']:,} pollers every {p['interval']:g} s, {p['rate']:g} update/s",
            "nginx (deploy/nginx.conf) + Redis + PostgreSQL, 2 processes",
            figure,
            f"<= {ORIGIN_PER_UPDATE} origin requests per update, 0 lost",
            _verdict(ok),
        ]
    ]


def _reader_rows(pages: dict[str, Any]) -> list[list[str]]:
    """Issue 17's figures: ``?at=`` across the coverage, the first render's sizes and shift."""
    rows = []
    at = pages.get("at")
    if at:
        if at["status"] == 200:
            figure = (
                f"p50 {_ms(at['p50_ms'])} / p99 {_ms(at['p99_ms'])} ms "
                f"({at['moments']} moments, up to {at['max_bytes']:,} bytes)"
            )
            verdict = _verdict(at["p50_ms"] < AT_P50_MS)
        else:
            figure, verdict = f"error: HTTP {at['status']} for {at.get('url')}", "MISS"
        rows.append(
            [
                f"page as it stood (?at=), {at.get('requests', 0)} GETs",
                "artsakh-september-2023, 1 process",
                figure,
                f"p50 < {AT_P50_MS:g} ms",
                verdict,
            ]
        )
    render = pages.get("render")
    if render:
        shift = max(render["shift_1280"], render["shift_390"])
        rows.append(
            [
                "first render in Chromium",
                f"artsakh-september-2023, {render['images_loaded']} of {render['images']} "
                "images loaded",
                f"HTML {render['html_bytes'] / 1000:.1f} KB, JavaScript "
                f"{render['js_bytes'] / 1000:.1f} KB, layout shift {render['shift_1280']:.3f} "
                f"(1280 px) / {render['shift_390']:.3f} (390 px)",
                f"HTML < {HTML_KB} KB, JS < {JS_KB} KB, shift 0",
                _verdict(
                    render["html_bytes"] < HTML_KB * 1000
                    and render["js_bytes"] < JS_KB * 1000
                    and shift == 0
                ),
            ]
        )
    return rows


def markdown(table: list[list[str]]) -> str:
    header = ["benchmark", "setup", "figure", "goal", "result"]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in table]
    return "\n".join(out)


def notes(results: dict[str, Any]) -> list[str]:
    """What the table cannot hold: publish cost, connect times, message size."""
    lines = []
    for r in results.get("fanout", []):
        if r["target"] == "raw":
            continue
        p = r["publish"]
        lines.append(
            f"{TARGETS[r['target']]} at {r['rate']:g}/s: the entry_publish call took p50 "
            f"{_ms(p['call_p50_ms'])} ms (max {_ms(p['call_max_ms'])} ms); it broadcasts on "
            "commit, before it returns"
        )
    for w in results.get("webhooks", []):
        lines.append(
            f"webhooks on {w['backend']}: entry_publish took p50 {_ms(w['publish_call_p50_ms'])} "
            f"ms (max {_ms(w['publish_call_max_ms'])} ms) while deliveries ran"
        )
    sizes = results.get("message_bytes", {})
    if sizes:
        lines.append(
            "message size (bytes, mean): "
            + ", ".join(f"{TARGETS[t]} {v:,.0f}" for t, v in sizes.items())
        )
    if "pollers" in results:
        p = results["pollers"]
        lines.append(
            f"pollers: each asks for the open page of the log (limit={p['page_limit']}) every "
            f"{p['interval']:g} s, follows next, and reads an entry a closed page names "
            f"({p['entry_reads']:,} such reads); poll-to-screen is its time.time() once it has "
            "the text minus the publisher's, taken just before entry_publish"
        )
    for target, c in results.get("connect", {}).items():
        lines.append(
            f"{TARGETS[target]}: {c['connected']:,} readers connected in "
            f"{c['seconds']:.1f} s (50 at a time), {c['failed']} failed"
        )
    return lines


def plot(latencies: dict[tuple[str, float], list[float]], path: Path, title: str) -> bool:
    """CDF of delivery latency per target and rate; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rates = sorted({rate for _, rate in latencies})
    if not rates:
        return False
    figure, axes = plt.subplots(1, len(rates), figsize=(6 * len(rates), 4.5), squeeze=False)
    colours = {"raw": "tab:gray", "memory": "tab:blue", "redis": "tab:red"}
    for axis, rate in zip(axes[0], rates, strict=True):
        for target in ("raw", "memory", "redis"):
            values = sorted(1000 * x for x in latencies.get((target, rate), []))
            if not values:
                continue
            fraction = [(i + 1) / len(values) for i in range(len(values))]
            axis.step(
                values,
                fraction,
                where="post",
                color=colours[target],
                label=f"{TARGETS[target]} (n={len(values):,})",
            )
        axis.set_xscale("log")
        axis.set_xlabel("delivery latency, ms (log scale)")
        axis.set_ylabel("fraction of deliveries")
        axis.set_title(f"{rate:g} update{'s' if rate != 1 else ''} per second")
        axis.axhline(0.99, color="black", linewidth=0.5, linestyle=":")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(loc="upper left", fontsize=8)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def _memory_rows(memory: dict[str, Any]) -> list[list[str]]:
    """Memory per idle WebSocket, liveblog's against the raw server's of the same run."""
    raw = memory.get("raw")
    rows = []
    for target, m in memory.items():
        per = m["per_connection_kb"]
        figure = f"{per:.1f} KB (RSS {m['before_kb'] / 1024:.0f} -> {m['after_kb'] / 1024:.0f} MB)"
        if target == "raw":
            goal, verdict = "(reference)", ""
        elif raw and raw["per_connection_kb"] > 0:
            ratio = per / raw["per_connection_kb"]
            figure += f"; {ratio:.2f}x raw"
            goal = f"<= {RAW_MEMORY_RATIO:g}x raw and <= {KB_PER_CONNECTION:g} KB"
            verdict = _verdict(ratio <= RAW_MEMORY_RATIO and per <= KB_PER_CONNECTION)
        else:
            goal = f"<= {KB_PER_CONNECTION:g} KB"
            verdict = _verdict(per <= KB_PER_CONNECTION)
        rows.append(
            [
                f"memory per idle WebSocket, {m['connections']:,}",
                TARGETS[target],
                figure,
                goal,
                verdict,
            ]
        )
    return rows
