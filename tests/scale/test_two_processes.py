"""Several ASGI processes act as one site through the database and Redis."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request

import pytest
import websockets

from liveblog import commands
from liveblog.api.tokens import token_create
from tests.servers import servers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)"),
]


def _publish_through(server, *, slug: str, key: str, body: str) -> dict:
    request = urllib.request.Request(
        f"{server.http}/api/blogs/{slug}/entries/",
        data=json.dumps({"body": body}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


async def _read(server, path: str, count: int) -> list[dict]:
    origin = server.http
    async with websockets.connect(f"{server.ws}{path}", origin=origin, open_timeout=10) as ws:
        return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(count)]


def test_a_reader_on_one_process_gets_what_is_published_through_another(editor) -> None:
    blog = commands.blog_open(
        blog=commands.blog_create(slug="split", title="Split", actor="editor"), actor="editor"
    )
    blog.members.add(editor)
    _, key = token_create(user=editor, name="two-process test")

    with servers(2, REDIS_URL=os.environ["REDIS_URL"]) as (first, second):

        async def scenario() -> tuple[list[dict], list[dict], list[dict]]:
            reader = asyncio.create_task(_read(first, "/ws/blogs/split/", 2))
            await asyncio.sleep(1.0)  # let the reader's handshake finish before publishing
            for body in ("published through the second process", "and another"):
                await asyncio.to_thread(_publish_through, second, slug="split", key=key, body=body)
            live = await reader
            # Catch-up from the log works on either process.
            caught_up_first = await _read(first, "/ws/blogs/split/?after=2", 2)
            caught_up_second = await _read(second, "/ws/blogs/split/?after=2", 2)
            return live, caught_up_first, caught_up_second

        live, from_first, from_second = asyncio.run(scenario())

    bodies = ["published through the second process", "and another"]
    assert [m["entry"]["body"] for m in live] == bodies
    assert [m["seq"] for m in live] == [3, 4]
    assert from_first == from_second
    assert [m["seq"] for m in from_first] == [3, 4]
