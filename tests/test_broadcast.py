"""Broadcasting never turns a committed publish into an error or a hang."""

from __future__ import annotations

import asyncio
import time

import pytest

from liveblog import broadcast, commands

pytestmark = pytest.mark.django_db


class _HungLayer:
    async def group_send(self, group: str, message: dict) -> None:
        await asyncio.sleep(3600)


def test_a_hung_channel_layer_does_not_hang_the_editor(blog, monkeypatch, caplog) -> None:
    monkeypatch.setattr(broadcast, "SEND_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(broadcast, "get_channel_layer", lambda: _HungLayer())
    entry = commands.entry_publish(blog=blog, body="Still published", actor="editor")
    started = time.monotonic()
    broadcast.send_events(list(entry.blog.events.filter(entry_id=entry.id)))
    assert time.monotonic() - started < 2
    assert "Broadcast of blog" in caplog.text
