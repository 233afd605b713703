"""Webhook receivers for the benchmark: ``python -m bench.receivers --ports P1,P2 --late P3 ...``.

Every port answers each POST with 200 at once and records, per delivery, its seq, when it
arrived and the send time stamped in the entry's headline (``bench.payload``). The ``--late``
port is down (nothing listens, connections are refused) until the process gets SIGUSR1.
Exits once every port has received ``--expect`` distinct events, or after ``--timeout``
seconds, writing what it saw as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time

from bench import payload


class Port:
    """One receiver: a bare HTTP/1.1 server (keep-alive, Content-Length bodies)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.deliveries: list[tuple[int, float, float | None]] = []
        self.up_at: float | None = None

    async def start(self) -> None:
        await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.up_at = time.time()

    def distinct(self) -> int:
        return len({seq for seq, _, _ in self.deliveries})

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                arrived = time.time()
                message = json.loads(body)
                headline = (message.get("entry") or {}).get("headline", "")
                self.deliveries.append((message["seq"], arrived, payload.read_stamp(headline)))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def _receive(args: argparse.Namespace) -> dict[str, object]:
    ports = [Port(int(p)) for p in args.ports.split(",")]
    late = Port(args.late)
    for port in ports:
        await port.start()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(late.start()))
    print("READY", flush=True)
    deadline = time.monotonic() + args.timeout
    everyone = [*ports, late]
    while time.monotonic() < deadline:
        if all(port.distinct() >= args.expect for port in everyone):
            break
        await asyncio.sleep(0.1)
    return {
        "healthy": {p.port: p.deliveries for p in ports},
        "late": {"port": late.port, "up_at": late.up_at, "deliveries": late.deliveries},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", required=True, help="comma-separated ports that answer")
    parser.add_argument("--late", type=int, required=True, help="the port that starts down")
    parser.add_argument("--expect", type=int, required=True, help="events each port awaits")
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    seen = asyncio.run(_receive(args))
    with open(args.out, "w") as out:
        json.dump(seen, out)


if __name__ == "__main__":
    main()
