"""The real ASGI application plus a control endpoint, served by uvicorn for the browser test.

Why an endpoint: without Redis the channel layer lives inside one process, so an entry
published from another process (``manage.py shell``) reaches readers only when they next
reconnect. The live half of the test therefore publishes inside the server process, as the
admin and the API do, through ``POST /__e2e__/<command>`` (JSON in, JSON out). Test-only:
nothing outside tests/ imports this module.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from config.asgi import application as liveblog_application

PREFIX = "/__e2e__/"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _publish(*, slug: str, body: str, headline: str = "", key_event: bool = False) -> dict:
    from liveblog import commands
    from liveblog.models import Blog

    blog = Blog.objects.get(slug=slug)
    entry = commands.entry_publish(
        blog=blog, body=body, headline=headline, key_event=key_event, actor="e2e"
    )
    return {"id": str(entry.id)}


def _correct(*, entry_id: str, body: str, reason: str) -> dict:
    from liveblog import commands

    # A UUID, not the string: the broadcast looks the entry up by the log row's entry_id.
    entry = commands.entry_correct(entry=uuid.UUID(entry_id), body=body, reason=reason, actor="e2e")
    return {"id": str(entry.id), "revision": entry.revision}


def _retract(*, entry_id: str, reason: str) -> dict:
    from liveblog import commands

    entry = commands.entry_retract(entry=uuid.UUID(entry_id), reason=reason, actor="e2e")
    return {"id": str(entry.id)}


COMMANDS: dict[str, Callable[..., dict]] = {
    "publish": _publish,
    "correct": _correct,
    "retract": _retract,
}


def _stub_oembed(endpoint: str) -> None:
    """YouTube's oEmbed answered by the test's stub on 127.0.0.1 (tests/stub_oembed.py)."""
    from django.conf import settings
    from micawber.providers import Provider as OEmbedEndpoint
    from micawber.providers import ProviderRegistry

    from liveblog import embeds

    settings.LIVEBLOG_EMBED_PRIVATE_HOSTS = True
    registry = ProviderRegistry()
    registry.register(r"https://www\.youtube\.com/watch\S+", OEmbedEndpoint(endpoint))
    embeds.REGISTRY = registry
    embeds._PROVIDER_NAMES[endpoint] = "YouTube"


if os.environ.get("LIVEBLOG_E2E_OEMBED"):
    _stub_oembed(os.environ["LIVEBLOG_E2E_OEMBED"])


async def _respond(send: Send, status: int, data: dict) -> None:
    body = json.dumps(data).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
        await liveblog_application(scope, receive, send)
        return
    command = COMMANDS.get(scope["path"].removeprefix(PREFIX))
    if command is None or scope["method"] != "POST":
        await _respond(send, 404, {"error": f"unknown command {scope['path']}"})
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    arguments = json.loads(b"".join(chunks) or b"{}")
    await _respond(send, 200, await sync_to_async(command)(**arguments))
