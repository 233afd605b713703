"""The members' desk channel: who gets in, what they hear, and who else is there."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from liveblog import commands, desk_consumer
from liveblog.bylines import Byline
from liveblog.models import Blog, DeskEntry
from tests.conftest import editors_group

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

HOST = [(b"host", b"localhost")]
ORIGIN = [(b"origin", b"http://localhost"), *HOST]


def _session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def _open(
    path: str, user: Any = None, *, origin: list[tuple[bytes, bytes]] = ORIGIN
) -> tuple[WebsocketCommunicator, bool]:
    headers = list(origin)
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(_session_cookie)(user)))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def _desk(blog: Blog, user: Any) -> tuple[WebsocketCommunicator, str]:
    """An open desk of ``user``, past its greeting; returns its socket id."""
    desk, connected = await _open(f"/ws/desk/{blog.slug}/", user)
    assert connected
    hello = await _next(desk, "hello")
    assert hello["heartbeat"] == desk_consumer.HEARTBEAT_SECONDS
    return desk, hello["id"]


async def _next(desk: WebsocketCommunicator, kind: str, **matching: Any) -> dict[str, Any]:
    """The next message of ``kind`` (and the given values), skipping others."""
    while True:
        message = json.loads(await desk.receive_from(timeout=3))
        if message["kind"] == kind and all(message.get(k) == v for k, v in matching.items()):
            return message


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    output = await communicator.receive_output(timeout=3)
    while output["type"] != "websocket.close":
        output = await communicator.receive_output(timeout=3)
    return output["code"]


@pytest.fixture
def colleague(django_user_model):
    user = django_user_model.objects.create_user(
        username="ana", password="correct horse battery", is_staff=True, first_name="Ana"
    )
    user.groups.add(editors_group())
    return user


@pytest.fixture
def desk_blog(blog: Blog, colleague) -> Blog:
    blog.members.add(colleague)
    return blog


async def test_only_signed_in_members_get_the_desk_channel(
    desk_blog: Blog, django_user_model
) -> None:
    anonymous, connected = await _open(f"/ws/desk/{desk_blog.slug}/")
    assert connected
    assert await _closed_with(anonymous) == desk_consumer.CLOSE_NOT_SIGNED_IN

    stranger = await database_sync_to_async(django_user_model.objects.create_user)(
        username="stranger", password="x", is_staff=True
    )
    await database_sync_to_async(lambda: stranger.groups.add(editors_group()))()
    outsider, connected = await _open(f"/ws/desk/{desk_blog.slug}/", stranger)
    assert connected
    assert await _closed_with(outsider) == desk_consumer.CLOSE_NOT_FOUND

    editor = await database_sync_to_async(lambda: desk_blog.members.get(username="editor"))()
    nowhere, connected = await _open("/ws/desk/no-such-blog/", editor)
    assert await _closed_with(nowhere) == desk_consumer.CLOSE_NOT_FOUND


async def test_a_page_of_another_site_cannot_open_the_desk(desk_blog: Blog, editor) -> None:
    foreign = [(b"origin", b"http://evil.example"), *HOST]
    _, connected = await _open(f"/ws/desk/{desk_blog.slug}/", editor, origin=foreign)
    assert not connected


async def test_a_member_hears_a_colleague_s_publish_and_draft_but_readers_never_the_draft(
    desk_blog: Blog, editor
) -> None:
    desk, _ = await _desk(desk_blog, editor)
    reader, connected = await _open(f"/ws/blogs/{desk_blog.slug}/", origin=ORIGIN)
    assert connected

    entry = await database_sync_to_async(commands.entry_publish)(
        blog=desk_blog, body="Polls close", actor="ana"
    )
    published = await _next(desk, "events")
    assert published["events"] == [
        {
            "seq": entry.published_seq,
            "type": "entry.published",
            "entry_id": str(entry.id),
            "actor": "ana",
        }
    ]
    assert json.loads(await reader.receive_from(timeout=3))["entry"]["body"] == "Polls close"

    draft = await database_sync_to_async(
        lambda: (
            commands.desk_write(
                blog=desk_blog,
                actor="ana",
                writing=commands.Writing(body="Secret exit poll", byline=Byline("Ana")),
                status=DeskEntry.Status.DRAFT,
            ).entry
        )
    )()
    drafted = (await _next(desk, "events"))["events"]
    assert [(e["type"], e["entry_id"], e["actor"]) for e in drafted] == [
        ("desk.drafted", str(draft.id), "ana")
    ]
    # The reader gets only a placeholder keeping the sequence: no type, no entry, no words.
    text = await reader.receive_from(timeout=3)
    assert json.loads(text)["type"] == "private"
    assert "Secret" not in text and str(draft.id) not in text and "desk." not in text
    await desk.disconnect()
    await reader.disconnect()


async def test_presence_joins_says_what_each_does_and_leaves(
    desk_blog: Blog, editor, colleague
) -> None:
    mine, my_id = await _desk(desk_blog, editor)
    # My own greeting to the desk comes back to me.
    assert (await _next(mine, "presence", id=my_id))["doing"] == "viewing"

    theirs, their_id = await _desk(desk_blog, colleague)
    joined = await _next(mine, "presence", id=their_id)
    assert (joined["user"], joined["name"], joined["doing"]) == ("ana", "Ana", "viewing")
    # The newcomer learns who was already there.
    there = await _next(theirs, "presence", id=my_id)
    assert (there["user"], there["doing"]) == ("editor", "viewing")

    await theirs.send_to(text_data=json.dumps({"doing": "writing"}))
    assert (await _next(mine, "presence", id=their_id))["doing"] == "writing"
    await theirs.send_to(text_data=json.dumps({"doing": "correcting", "entry": "abc"}))
    correcting = await _next(mine, "presence", id=their_id)
    assert (correcting["doing"], correcting["entry"]) == ("correcting", "abc")

    await theirs.disconnect()
    assert (await _next(mine, "left"))["id"] == their_id
    await mine.disconnect()


async def test_a_frame_that_says_nothing_known_closes_the_desk(desk_blog: Blog, editor) -> None:
    desk, _ = await _desk(desk_blog, editor)
    await desk.send_to(text_data=json.dumps({"doing": "dancing"}))
    assert await _closed_with(desk) == desk_consumer.CLOSE_BAD_MESSAGE


async def test_a_member_taken_off_the_blog_loses_the_desk_at_the_next_heartbeat(
    desk_blog: Blog, colleague, monkeypatch
) -> None:
    desk, _ = await _desk(desk_blog, colleague)
    await database_sync_to_async(desk_blog.members.remove)(colleague)
    monkeypatch.setattr(desk_consumer, "MEMBERSHIP_CHECK_SECONDS", 0.0)
    await asyncio.sleep(0.01)
    await desk.send_to(text_data=json.dumps({"doing": "viewing"}))
    assert await _closed_with(desk) == desk_consumer.CLOSE_NOT_FOUND
