"""The readers: one process holding many WebSocket connections, driven over stdin/stdout.

``python -m bench.client`` reads one JSON command per line on stdin and answers each with one
JSON line on stdout (anything else goes to stderr)::

    {"op": "connect", "urls": [...], "n": 1000, "timeout": 60, "compression": "deflate"}
    {"op": "collect", "first": 3, "last": 62, "timeout": 30, "out": "/tmp/x.json"}
    {"op": "storm", "urls": [...], "after": 12, "last": 62, "timeout": 30}
    {"op": "close"}                  closes every reader; end of input ends the process

Readers are spread round-robin over ``urls``, and over loopback source addresses
127.0.0.1, 127.0.0.2, ... (``PER_ADDRESS`` each): real readers come from many addresses, and
the server caps WebSocket connections per client address. Every message is timed on arrival
(``time.time()``) against the send time in its entry's headline; ``collect`` waits until
every reader has the ``last`` seq (or the timeout), then writes the latencies to ``out``
and answers with the losses, duplicates and disorder it saw, reader by reader. Heartbeats
are not counted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from bench import payload
from bench.limits import raise_fd_limit

POLL_SECONDS = 0.05
PER_ADDRESS = 100
#: The push channel's one message that is not an event (README, "The push channel").
HEARTBEAT = "heartbeat"


def _source(index: int) -> str:
    return f"127.0.0.{1 + index // PER_ADDRESS}"


class Reader:
    """One reader's connection and everything it received."""

    def __init__(
        self, url: str, source: str = "127.0.0.1", compression: str | None = "deflate"
    ) -> None:
        self.url = url
        self.source = source
        self.compression = compression
        self.ws: ClientConnection | None = None
        self.task: asyncio.Task[None] | None = None
        self.seqs: list[int] = []
        self.received: list[float] = []
        self.sent: list[float] = []
        self.bytes = 0
        self.close_code: int | None = None
        self.error: str | None = None
        self.connected_at: float | None = None

    @property
    def last_seq(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    async def open(self, seconds: float) -> None:
        """Connect, giving up after ``seconds``; a failure is kept in ``error``."""
        # The server checks the Origin against its allowed hosts, as a browser would send it.
        origin = Origin(f"http://{urlsplit(self.url).netloc}")
        try:
            self.ws = await connect(
                self.url,
                origin=origin,
                open_timeout=seconds,
                close_timeout=5,
                # Readers never write: a client ping is a frame the server does not need.
                ping_interval=None,
                local_addr=(self.source, 0),
                # Browsers offer permessage-deflate, so by default readers do too.
                compression=self.compression,
            )
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return
        self.connected_at = time.time()
        self.task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        assert self.ws is not None
        try:
            async for message in self.ws:
                now = time.time()
                data = json.loads(message)
                if data.get("type") == HEARTBEAT:
                    continue
                entry = data.get("entry") or {}
                self.seqs.append(data["seq"])
                self.received.append(now)
                self.sent.append(payload.read_stamp(entry.get("headline") or "") or 0.0)
                self.bytes += len(message)
        except ConnectionClosed as exc:
            self.close_code = exc.rcvd.code if exc.rcvd else None
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    def forget(self) -> None:
        self.seqs, self.received, self.sent, self.bytes = [], [], [], 0

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await self.task


class Client:
    def __init__(self) -> None:
        self.readers: list[Reader] = []
        self.compression: str | None = "deflate"

    async def connect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        urls, n = cmd["urls"], cmd["n"]
        self.compression = cmd.get("compression", "deflate")
        readers = [Reader(urls[i % len(urls)], _source(i), self.compression) for i in range(n)]
        # A steady ramp, not a storm: the storm is measured on its own (``storm``).
        limit = asyncio.Semaphore(cmd.get("concurrency", 50))

        async def one(reader: Reader) -> None:
            async with limit:
                await reader.open(cmd.get("timeout", 60))

        started = time.time()
        await asyncio.wait_for(
            asyncio.gather(*(one(r) for r in readers)), cmd.get("timeout", 60) + 10
        )
        self.readers.extend(r for r in readers if r.ws is not None)
        failed = [r for r in readers if r.ws is None]
        return {
            "connected": len(readers) - len(failed),
            "failed": len(failed),
            "errors": sorted({r.error or "" for r in failed})[:5],
            "seconds": time.time() - started,
        }

    async def _wait_for(self, readers: list[Reader], last: int, seconds: float) -> float:
        started = time.time()
        deadline = started + seconds
        while time.time() < deadline:
            if all(r.last_seq >= last or r.task is None or r.task.done() for r in readers):
                break
            await asyncio.sleep(POLL_SECONDS)
        return time.time() - started

    @staticmethod
    def _check(readers: list[Reader], first: int, last: int) -> dict[str, Any]:
        """Losses, duplicates and disorder against the exact seqs first..last."""
        expected = last - first + 1
        lost = dups = disorder = extra = readers_short = 0
        for r in readers:
            inside = [s for s in r.seqs if first <= s <= last]
            extra += len(r.seqs) - len(inside)
            distinct = set(inside)
            lost += expected - len(distinct)
            readers_short += len(distinct) < expected
            dups += len(inside) - len(distinct)
            disorder += sum(1 for a, b in itertools.pairwise(inside) if b <= a)
        return {
            "readers": len(readers),
            "expected_per_reader": expected,
            "lost": lost,
            "readers_with_loss": readers_short,
            "duplicates": dups,
            "out_of_order": disorder,
            "unexpected": extra,
            "closed": sum(1 for r in readers if r.close_code is not None or r.error),
            "close_codes": sorted({r.close_code for r in readers if r.close_code is not None}),
        }

    async def collect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        first, last = cmd["first"], cmd["last"]
        waited = await self._wait_for(self.readers, last, cmd.get("timeout", 30))
        result = self._check(self.readers, first, last)
        samples = [
            (seq, received - sent)
            for r in self.readers
            for seq, received, sent in zip(r.seqs, r.received, r.sent, strict=True)
            if first <= seq <= last and sent
        ]
        count = sum(len(r.seqs) for r in self.readers)
        result.update(
            waited=waited,
            samples=len(samples),
            message_bytes=(sum(r.bytes for r in self.readers) / count) if count else 0,
        )
        data = json.dumps({"seq": [s for s, _ in samples], "latency": [x for _, x in samples]})
        await asyncio.to_thread(Path(cmd["out"]).write_text, data)
        for r in self.readers:
            r.forget()
        return result

    async def storm(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Drop every reader, then reconnect them all at once ``after`` a past seq."""
        n = len(self.readers)
        await asyncio.wait_for(
            asyncio.gather(*(r.close() for r in self.readers), return_exceptions=True), 30
        )
        self.readers = []
        after, last = cmd["after"], cmd["last"]
        urls = [f"{u}?after={after}" for u in cmd["urls"]]
        readers = [Reader(urls[i % len(urls)], _source(i), self.compression) for i in range(n)]
        started = time.time()
        await asyncio.wait_for(
            asyncio.gather(*(r.open(cmd["timeout"]) for r in readers)),
            cmd["timeout"] + 10,
        )
        remaining = max(1.0, cmd["timeout"] - (time.time() - started))
        await self._wait_for(readers, last, remaining)
        self.readers = [r for r in readers if r.ws is not None]
        result = self._check(self.readers, after + 1, last)
        exact = sum(1 for r in self.readers if r.seqs == list(range(after + 1, last + 1)))
        ends = [r.received[r.seqs.index(last)] for r in self.readers if last in r.seqs]
        connects = [r.connected_at for r in self.readers if r.connected_at]
        result.update(
            failed_connects=n - len(self.readers),
            connect_errors=sorted({r.error or "" for r in readers if r.ws is None})[:5],
            exact=exact,
            caught_up=len(ends),
            seconds=(max(ends) - started) if len(ends) == n else None,
            last_connect_seconds=(max(connects) - started) if connects else None,
            median_seconds=(sorted(ends)[len(ends) // 2] - started) if ends else None,
            slowest_seconds=(max(ends) - started) if ends else None,
        )
        return result

    async def close(self, cmd: dict[str, Any] | None = None) -> dict[str, Any]:
        await asyncio.wait_for(
            asyncio.gather(*(r.close() for r in self.readers), return_exceptions=True), 30
        )
        closed, self.readers = len(self.readers), []
        return {"closed": closed}


async def _serve() -> None:
    client = Client()
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while True:
        line = await stdin.readline()
        if not line:
            await client.close()
            return
        cmd = json.loads(line)
        try:
            answer = await getattr(client, cmd["op"])(cmd)
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def main() -> None:
    raise_fd_limit()
    try:
        import uvloop
    except ImportError:
        asyncio.run(_serve())
    else:
        uvloop.run(_serve())


if __name__ == "__main__":
    main()
