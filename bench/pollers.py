"""Readers without WebSockets: ``python -m bench.pollers --base URL --slug S --first F ...``.

Each poller does what a reader's browser does when it polls the cacheable reads (README,
"What caches keep"): it asks for the open page of the log with the same ``limit`` as every
other reader, every ``--interval`` seconds (randomised a little, and started at a random
moment), follows ``next`` as soon as a page is closed, and reads an entry on its own when a
closed page names it without its text. An update is on its screen when it has the entry's
text; the time from the publisher's stamp in the headline (``bench.payload``) to then is
its poll-to-screen latency. Writes what it saw as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import time
from collections import Counter
from typing import Any

import aiohttp

from bench import payload
from bench.limits import raise_fd_limit
from liveblog.caching import POLL_PAGE_LIMIT, POLL_SECONDS

#: The page size every poller asks for: the reader page's own (``liveblog.caching``), so bench
#: pollers and browsers share cached pages; small, so the open page stays short.
PAGE_LIMIT = POLL_PAGE_LIMIT


@dataclasses.dataclass
class Poller:
    """One reader: the seqs it is waiting for and when each reached its screen."""

    waiting: set[int]
    latencies: dict[int, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Tally:
    requests: int = 0
    entry_reads: int = 0
    errors: Counter[str] = dataclasses.field(default_factory=Counter)


def first_page(base: str, slug: str, after: int) -> str:
    """The page holding the seq after ``after``: aligned, as every reader asks for it."""
    start = after // PAGE_LIMIT * PAGE_LIMIT
    return f"{base}/api/blogs/{slug}/events/?after={start}&limit={PAGE_LIMIT}"


async def _get(session: aiohttp.ClientSession, url: str, tally: Tally) -> Any:
    tally.requests += 1
    async with session.get(url) as response:
        if response.status != 200:
            tally.errors[f"HTTP {response.status}"] += 1
            return None
        return await response.json()


async def _on_screen(
    session: aiohttp.ClientSession, base: str, slug: str, event: dict[str, Any], tally: Tally
) -> float | None:
    """When the event's entry was on screen: now, or once its own read returned."""
    entry = event.get("entry")
    if entry is None:  # a closed page: what the event is, not the entry's text
        tally.entry_reads += 1
        entry = await _get(session, f"{base}/api/blogs/{slug}/entries/{event['entry_id']}/", tally)
        if entry is None:
            return None
    stamp = payload.read_stamp(entry["headline"])
    return None if stamp is None else time.time() - stamp


async def poll(
    session: aiohttp.ClientSession,
    poller: Poller,
    *,
    base: str,
    slug: str,
    url: str,
    interval: float,
    deadline: float,
    tally: Tally,
) -> None:
    await asyncio.sleep(random.uniform(0, interval))  # readers arrive at any moment
    while poller.waiting and time.monotonic() < deadline:
        try:
            page = await _get(session, url, tally)
        except (aiohttp.ClientError, TimeoutError) as exc:
            tally.errors[type(exc).__name__] += 1
            page = None
        if page is not None:
            for event in page["results"]:
                if event["seq"] not in poller.waiting:
                    continue
                latency = await _on_screen(session, base, slug, event, tally)
                if latency is not None:
                    poller.waiting.discard(event["seq"])
                    poller.latencies[event["seq"]] = latency
            if page["next"]:
                url = page["next"]  # closed: the next events are on the following page
                continue
        await asyncio.sleep(interval * random.uniform(0.9, 1.1))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    expected = set(range(args.first, args.last + 1))
    pollers = [Poller(waiting=set(expected)) for _ in range(args.pollers)]
    tally = Tally()
    url = first_page(args.base, args.slug, args.first - 1)
    deadline = time.monotonic() + args.timeout
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(
            *(
                poll(
                    session,
                    poller,
                    base=args.base,
                    slug=args.slug,
                    url=url,
                    interval=args.interval,
                    deadline=deadline,
                    tally=tally,
                )
                for poller in pollers
            )
        )
    return {
        "pollers": args.pollers,
        "interval": args.interval,
        "page_limit": PAGE_LIMIT,
        "expected_per_poller": len(expected),
        "lost": sum(len(poller.waiting) for poller in pollers),
        "requests": tally.requests,
        "entry_reads": tally.entry_reads,
        "errors": dict(tally.errors),
        "seq": [seq for poller in pollers for seq in poller.latencies],
        "latency": [value for poller in pollers for value in poller.latencies.values()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the site, e.g. http://127.0.0.1:8080")
    parser.add_argument("--slug", required=True)
    parser.add_argument("--first", type=int, required=True, help="first seq to wait for")
    parser.add_argument("--last", type=int, required=True, help="last seq to wait for")
    parser.add_argument("--pollers", type=int, default=1_000)
    parser.add_argument(
        "--interval", type=float, default=float(POLL_SECONDS), help="seconds between polls"
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    raise_fd_limit()
    result = asyncio.run(run(args))
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
