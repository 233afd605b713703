"""The desk channel across processes: presence and notices travel through Redis."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import pytest
import websockets
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from liveblog import commands
from tests.conftest import editors_group
from tests.servers import server_env, servers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)"),
]


def _session_cookie(user: Any) -> str:
    # Signed with the servers' key, as if the member had signed in on one of them.
    with override_settings(SECRET_KEY=server_env()["DJANGO_SECRET_KEY"]):
        client = Client()
        client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


async def _next(ws: Any, kind: str, **matching: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["kind"] == kind and all(message.get(k) == v for k, v in matching.items()):
            return message


def test_desks_on_two_processes_see_each_other_and_each_other_s_work(
    editor, django_user_model
) -> None:
    blog = commands.blog_open(
        blog=commands.blog_create(slug="split", title="Split", actor="editor"), actor="editor"
    )
    ana = django_user_model.objects.create_user(username="ana", is_staff=True, first_name="Ana")
    ana.groups.add(editors_group())
    editor.groups.add(editors_group())
    blog.members.add(editor, ana)
    cookies = {"editor": _session_cookie(editor), "ana": _session_cookie(ana)}

    with servers(2, REDIS_URL=os.environ["REDIS_URL"]) as (first, second):

        def open_desk(server: Any, who: str) -> Any:
            return websockets.connect(
                f"{server.ws}/ws/desk/split/",
                origin=server.http,
                additional_headers={"Cookie": cookies[who]},
                open_timeout=10,
            )

        def publish(body: str) -> Any:
            try:
                return commands.entry_publish(blog=blog, body=body, actor="ana")
            finally:
                connection.close()  # this thread's: the test database is dropped at the end

        async def scenario() -> None:
            async with open_desk(first, "editor") as mine:
                my_id = (await _next(mine, "hello"))["id"]
                async with open_desk(second, "ana") as theirs:
                    their_id = (await _next(theirs, "hello"))["id"]
                    joined = await _next(mine, "presence", id=their_id)
                    assert (joined["user"], joined["doing"]) == ("ana", "viewing")
                    assert (await _next(theirs, "presence", id=my_id))["user"] == "editor"

                    await theirs.send(json.dumps({"doing": "writing"}))
                    assert (await _next(mine, "presence", id=their_id))["doing"] == "writing"

                    # Published in the test process: the notice reaches both processes' desks.
                    entry = await asyncio.to_thread(publish, "Polls close")
                    for desk in (mine, theirs):
                        notice = (await _next(desk, "events"))["events"]
                        assert [(e["type"], e["entry_id"]) for e in notice] == [
                            ("entry.published", str(entry.id))
                        ]
                assert (await _next(mine, "left"))["id"] == their_id

        asyncio.run(scenario())
