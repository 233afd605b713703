"""The project's ASGI application plus ``/bench/`` endpoints that publish from inside it.

With the in-memory channel layer only code in the server process reaches its readers, so
the benchmark publishes from here (and, for symmetry, may do so on Redis too)::

    GET /bench/health                                -> {"pid": ..., "database": {...}}
    GET /bench/publish?slug=S&count=N&rate=R&size=B  -> 202, starts a publishing task
    GET /bench/status                                -> the current run (see publishing.Run)

Every other request goes to ``config.asgi.application`` untouched. Only for benchmarks:
the endpoints are unauthenticated.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable
from typing import Any
from urllib.parse import parse_qs

from bench.limits import raise_fd_limit

raise_fd_limit()

from channels.db import database_sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402

from bench import payload, publishing  # noqa: E402
from config.asgi import application as liveblog_application  # noqa: E402
from liveblog.passthrough import passes_through  # noqa: E402

_state: dict[str, Any] = {"run": None, "task": None}


async def _publish(slug: str, run: publishing.Run, size: int) -> None:
    loop = asyncio.get_running_loop()
    try:
        blog = await database_sync_to_async(publishing.find_blog)(slug)
        start = run.started = loop.time()
        for index in range(run.count):
            delay = publishing.due(start, index, run.rate) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                seq, seconds = await database_sync_to_async(publishing.publish_one)(
                    blog, index, size
                )
            except Exception as exc:  # reported to the orchestrator, which prints it
                run.errors.append(repr(exc))
                continue
            run.record(seq, seconds)
        run.finished = loop.time()
    except Exception as exc:
        run.errors.append(repr(exc))
    finally:
        run.done = True


def _database() -> dict[str, Any]:
    """How this process reaches the database: the name its connections carry, its pool's size."""
    options = settings.DATABASES["default"].get("OPTIONS", {})
    return {
        "application_name": options.get("application_name"),
        "pool_max_size": (options.get("pool") or {}).get("max_size"),
    }


async def _respond(send: Any, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _bench(scope: dict[str, Any], send: Any) -> None:
    query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
    path = scope["path"]
    if path == "/bench/health":
        await _respond(send, 200, {"pid": os.getpid(), "database": _database()})
    elif path == "/bench/status":
        run = _state["run"]
        await _respond(send, 200, run.as_dict() if run else {})
    elif path == "/bench/publish":
        task = _state["task"]
        if task is not None and not task.done():
            await _respond(send, 409, {"error": "a publishing run is already going"})
            return
        run = publishing.Run(count=int(query["count"]), rate=float(query["rate"]))
        size = int(query.get("size", payload.BODY_SIZE))
        _state["run"] = run
        _state["task"] = asyncio.get_running_loop().create_task(_publish(query["slug"], run, size))
        await _respond(send, 202, {"started": True})
    else:
        await _respond(send, 404, {"error": f"no bench endpoint {path}"})


@passes_through
def application(scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
    # Handed on, not awaited: the memory per WebSocket measured is the project's, with no
    # frame of this wrapper per reader.
    if scope["type"] == "http" and scope["path"].startswith("/bench/"):
        return _bench(scope, send)
    return liveblog_application(scope, receive, send)
