"""The baseline: a minimal WebSocket broadcast server, no Django, no channel layer.

``python -m bench.rawserver --port P`` accepts WebSocket connections on any path and, on
``GET /bench/publish?count=N&rate=R&size=B``, sends N messages at R per second to every
connection with ``websockets.broadcast``: the same JSON shape as liveblog's push messages
(seq, type, entry with the send time in its headline), padded to B bytes. ``/bench/health``
and ``/bench/status`` answer like ``bench.asgi_with_publisher``.
"""

from __future__ import annotations

import argparse
import asyncio
import http
import json
import os
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.http11 import Request, Response

from bench import payload, publishing
from bench.limits import raise_fd_limit

_connections: set[ServerConnection] = set()
_state: dict[str, Any] = {"run": None, "task": None, "seq": 0}


def _message(seq: int, index: int, size: int) -> str:
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}Z"
    text = payload.body(index)
    message: dict[str, Any] = {
        "seq": seq,
        "type": "entry.published",
        "occurred_at": stamp,
        "recorded_at": stamp,
        "entry": {
            "id": str(uuid.uuid4()),
            "headline": payload.stamp_headline(now),
            "body": text,
            "body_html": f"<p>{text}</p>",
            "pad": "",
        },
    }
    short = size - len(json.dumps(message, separators=(",", ":")))
    if short > 0:
        message["entry"]["pad"] = "x" * short
    return json.dumps(message, separators=(",", ":"))


async def _publish(run: publishing.Run, size: int) -> None:
    loop = asyncio.get_running_loop()
    start = run.started = loop.time()
    for index in range(run.count):
        delay = publishing.due(start, index, run.rate) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        began = time.time()
        _state["seq"] += 1
        broadcast(_connections, _message(_state["seq"], index, size))
        run.record(_state["seq"], time.time() - began)
    run.finished = loop.time()
    run.done = True


def _json(connection: ServerConnection, status: int, body: dict[str, Any]) -> Response:
    response = connection.respond(http.HTTPStatus(status), json.dumps(body))
    response.headers["Content-Type"] = "application/json"
    return response


async def _process_request(connection: ServerConnection, request: Request) -> Response | None:
    url = urlsplit(request.path)
    if not url.path.startswith("/bench/"):
        return None  # a reader: go on with the WebSocket handshake
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    if url.path == "/bench/health":
        return _json(connection, 200, {"pid": os.getpid(), "connections": len(_connections)})
    if url.path == "/bench/status":
        run = _state["run"]
        return _json(connection, 200, run.as_dict() if run else {})
    if url.path == "/bench/publish":
        task = _state["task"]
        if task is not None and not task.done():
            return _json(connection, 409, {"error": "a publishing run is already going"})
        run = publishing.Run(count=int(query["count"]), rate=float(query["rate"]))
        _state["run"] = run
        size = int(query.get("size", 0))
        _state["task"] = asyncio.get_running_loop().create_task(_publish(run, size))
        return _json(connection, 202, {"started": True})
    return _json(connection, 404, {"error": f"no bench endpoint {url.path}"})


async def _reader(connection: ServerConnection) -> None:
    _connections.add(connection)
    try:
        await connection.wait_closed()
    finally:
        _connections.discard(connection)


async def _main(port: int, compression: bool) -> None:
    # Ping like uvicorn is told to (every 20 s), and negotiate compression as the liveblog
    # servers do, so both servers do the same work per message.
    async with serve(
        _reader,
        "127.0.0.1",
        port,
        process_request=_process_request,
        ping_interval=20,
        backlog=2048,
        compression="deflate" if compression else None,
    ) as server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--compression", action="store_true", help="accept permessage-deflate (off by default)"
    )
    args = parser.parse_args()
    raise_fd_limit()
    try:
        import uvloop
    except ImportError:
        asyncio.run(_main(args.port, args.compression))
    else:
        uvloop.run(_main(args.port, args.compression))


if __name__ == "__main__":
    main()
