"""Readers' push channel: catch-up, live delivery, no loss or duplicates, and refusals."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import time
import weakref

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator
from django.db import OperationalError, transaction

from config.asgi import application
from liveblog import broadcast, commands, consumers, delivery, fanout
from liveblog.models import Blog, Entry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


@pytest.fixture
def live_blog(db) -> Blog:
    blog = commands.blog_create(slug="live", title="Live", actor="editor")
    return commands.blog_open(blog=blog, actor="editor")


async def _connect(path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _publish(blog: Blog, body: str) -> Entry:
    return await database_sync_to_async(commands.entry_publish)(blog=blog, body=body, actor="ed")


async def _publish_lost_by_the_layer(monkeypatch, blog: Blog, *bodies: str) -> None:
    """Publish while the channel layer loses every message: only the log has these events."""
    with monkeypatch.context() as lossy:
        lossy.setattr(broadcast, "send_events", lambda events: None)
        for body in bodies:
            await _publish(blog, body)


async def _receive_seqs(communicator: WebsocketCommunicator, count: int) -> list[dict]:
    return [json.loads(await communicator.receive_from(timeout=3)) for _ in range(count)]


def _record_layer_calls(monkeypatch, layer, *names: str) -> list[str]:
    """The names of the layer methods called from now on, in order (the calls still run)."""
    calls: list[str] = []
    for name in names:
        real = getattr(layer, name)

        async def spy(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return await _real(*args, **kwargs)

        monkeypatch.setattr(layer, name, spy)
    return calls


async def test_catch_up_sends_every_event_after_the_given_seq_in_order(live_blog) -> None:
    for n in range(3):
        await _publish(live_blog, f"update {n}")
    reader = await _connect("/ws/blogs/live/?after=2")
    messages = await _receive_seqs(reader, 3)
    assert [m["seq"] for m in messages] == [3, 4, 5]
    assert [m["entry"]["body"] for m in messages] == ["update 0", "update 1", "update 2"]
    assert messages[0]["type"] == "entry.published"
    assert await reader.receive_nothing(timeout=0.2)
    await reader.disconnect()


async def test_without_after_only_live_events_follow(live_blog) -> None:
    await _publish(live_blog, "before")
    reader = await _connect("/ws/blogs/live/")
    assert await reader.receive_nothing(timeout=0.2)
    entry = await _publish(live_blog, "after")
    message = json.loads(await reader.receive_from(timeout=3))
    assert (message["seq"], message["entry"]["id"]) == (4, str(entry.id))
    corrected = await database_sync_to_async(commands.entry_correct)(
        entry=entry, body="after!", reason="emphasis", actor="ed"
    )
    message = json.loads(await reader.receive_from(timeout=3))
    assert message["type"] == "entry.corrected"
    assert message["entry"]["body"] == corrected.body
    assert message["entry"]["correction_reason"] == "emphasis"
    await reader.disconnect()


async def test_a_reader_who_reconnects_misses_nothing_and_sees_nothing_twice(live_blog) -> None:
    reader = await _connect("/ws/blogs/live/?after=2")
    await _publish(live_blog, "one")
    (first,) = await _receive_seqs(reader, 1)
    await reader.disconnect()
    await _publish(live_blog, "two while offline")
    await _publish(live_blog, "three while offline")
    reader = await _connect(f"/ws/blogs/live/?after={first['seq']}")
    await _publish(live_blog, "four, live")
    messages = await _receive_seqs(reader, 3)
    assert [m["seq"] for m in messages] == [4, 5, 6]
    assert await reader.receive_nothing(timeout=0.2)
    await reader.disconnect()


async def test_a_message_lost_by_the_channel_layer_is_filled_from_the_log(
    live_blog, monkeypatch
) -> None:
    reader = await _connect("/ws/blogs/live/")
    await _publish_lost_by_the_layer(monkeypatch, live_blog, "lost by the layer")
    await _publish(live_blog, "delivered")
    messages = await _receive_seqs(reader, 2)
    assert [m["entry"]["body"] for m in messages] == ["lost by the layer", "delivered"]
    await reader.disconnect()


async def test_a_big_batch_arrives_as_a_nudge_and_is_read_from_the_log(live_blog) -> None:
    reader = await _connect("/ws/blogs/live/")
    count = broadcast.MAX_EVENTS_PER_BROADCAST + 5
    await database_sync_to_async(commands.entries_publish)(
        blog=live_blog,
        actor="importer",
        publications=[commands.Publication(body=f"n{n}") for n in range(count)],
    )
    messages = await _receive_seqs(reader, count)
    assert [m["seq"] for m in messages] == list(range(3, 3 + count))
    await reader.disconnect()


async def test_a_rolled_back_publish_reaches_no_one(live_blog) -> None:
    reader = await _connect("/ws/blogs/live/")

    def publish_and_roll_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            commands.entry_publish(blog=live_blog, body="never", actor="ed")
            raise RuntimeError("abort")

    await database_sync_to_async(publish_and_roll_back)()
    assert await reader.receive_nothing(timeout=0.3)
    await reader.disconnect()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/ws/blogs/nope/", consumers.CLOSE_NOT_FOUND),
        ("/ws/blogs/draft/", consumers.CLOSE_NOT_FOUND),
        ("/ws/blogs/live/?after=-1", consumers.CLOSE_BAD_REQUEST),
        ("/ws/blogs/live/?after=abc", consumers.CLOSE_BAD_REQUEST),
        # "²" as a browser sends it: str.isdigit() accepted it and int() raised.
        ("/ws/blogs/live/?after=%C2%B2", consumers.CLOSE_BAD_REQUEST),
        ("/ws/blogs/live/?after=%D9%A3", consumers.CLOSE_BAD_REQUEST),  # Arabic-Indic 3
        (f"/ws/blogs/live/?after={'9' * 5000}", consumers.CLOSE_BAD_REQUEST),
    ],
)
async def test_unknown_or_draft_blogs_and_bad_after_close_with_a_documented_code(
    live_blog, path, code
) -> None:
    await database_sync_to_async(commands.blog_create)(slug="draft", title="Draft", actor="ed")
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    await communicator.connect()
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": code}


@pytest.mark.parametrize("path", ["/ws/blogs/%C3%A9/", "/ws/", "/ws/blogs/live/extra/", "/"])
async def test_a_path_that_is_no_push_channel_is_refused(live_blog, path) -> None:
    # Channels' URLRouter raised a ValueError: a traceback in the log and a 500.
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    assert await communicator.connect() == (False, 1000)  # closed before accepting: HTTP 403
    await communicator.disconnect()


@pytest.mark.parametrize(
    "origin",
    [
        b"https://evil.example",
        # Unparseable: Channels' origin check let urlparse's ValueError escape (a traceback, a 500).
        *[b"http://[", b"http://localhost:99999", b"http://localhost:port", b"\xff\xfe"],
    ],
)
async def test_connections_from_foreign_or_unparseable_origins_are_refused(
    live_blog, origin
) -> None:
    headers = [(b"origin", origin), (b"host", b"localhost")]
    communicator = WebsocketCommunicator(application, "/ws/blogs/live/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected


async def test_the_task_closing_a_slow_reader_is_kept_until_it_has_closed(
    live_blog, monkeypatch
) -> None:
    # The loop holds tasks weakly: a close task nobody references, waiting on something
    # nobody else holds either, is collected before it closes anything.
    monkeypatch.setattr(delivery, "OUTBOX_SIZE", 1)
    never_sent = lambda self, text: asyncio.sleep(3600)  # noqa: E731 (a reader that never reads)
    monkeypatch.setattr(consumers.BlogConsumer, "send_text", never_sent)
    closing: list[weakref.ref[asyncio.Task[None]]] = []
    waits: list[weakref.ref[asyncio.Future[None]]] = []
    real_close = consumers.BlogConsumer.close

    async def close_after_a_wait(self, code=None, reason=None) -> None:
        task = asyncio.current_task()
        assert task is not None
        closing.append(weakref.ref(task))
        wait = asyncio.get_running_loop().create_future()
        waits.append(weakref.ref(wait))
        await wait
        await real_close(self, code=code)

    monkeypatch.setattr(consumers.BlogConsumer, "close", close_after_a_wait)
    reader = await _connect("/ws/blogs/live/")
    for n in range(3):
        await _publish(live_blog, f"update {n}")
    for _ in range(50):
        if closing:
            break
        await asyncio.sleep(0.05)
    gc.collect()
    task = closing[0]()
    assert task is not None and not task.done(), "the close task was collected"
    wait = waits[0]()
    assert wait is not None
    wait.set_result(None)
    assert await reader.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": consumers.CLOSE_TOO_SLOW,
    }


async def test_readers_cannot_write(live_blog) -> None:
    reader = await _connect("/ws/blogs/live/")
    await reader.send_to(text_data='{"type": "entry.published", "body": "spoof"}')
    assert await reader.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": consumers.CLOSE_READ_ONLY,
    }
    assert await database_sync_to_async(Entry.objects.count)() == 0


async def test_readers_have_no_channel_and_the_hub_leaves_the_group_after_lingering(
    live_blog, monkeypatch
) -> None:
    monkeypatch.setattr(fanout, "HUB_LINGER_SECONDS", 0.2)
    layer = get_channel_layer()
    calls = _record_layer_calls(monkeypatch, layer, "new_channel", "group_add", "group_discard")
    readers = [await _connect("/ws/blogs/live/") for _ in range(3)]
    # One subscription for the process, not one per reader.
    assert calls == ["new_channel", "group_add"]
    await _publish(live_blog, "one")
    for reader in readers:
        assert [m["seq"] for m in await _receive_seqs(reader, 1)] == [3]
        await reader.disconnect()
    hub = fanout.hub_for(layer, live_blog.pk)
    assert calls == ["new_channel", "group_add"]  # still warm for readers coming straight back
    assert [push.seq for push in hub.recent_after(2, 3) or []] == [3]
    await asyncio.sleep(0.5)
    assert calls == ["new_channel", "group_add", "group_discard"]
    assert hub.recent_after(2, 3) is None  # and the event texts are let go


async def test_readers_coming_back_together_catch_up_from_one_read_of_the_log(
    live_blog, monkeypatch
) -> None:
    reads = []
    real_log_page = broadcast.log_page

    def counted_log_page(*args):
        reads.append(args)
        return real_log_page(*args)

    monkeypatch.setattr(broadcast, "log_page", counted_log_page)
    for n in range(5):
        await _publish(live_blog, f"update {n}")
    readers = await asyncio.gather(*(_connect("/ws/blogs/live/?after=2") for _ in range(20)))
    for reader in readers:
        assert [m["seq"] for m in await _receive_seqs(reader, 5)] == [3, 4, 5, 6, 7]
        await reader.disconnect()
    assert len(reads) == 1


async def test_a_slow_reader_is_dropped_without_holding_up_the_others(live_blog, monkeypatch):
    monkeypatch.setattr(delivery, "OUTBOX_SIZE", 3)
    real_connect = consumers.BlogConsumer.connect
    real_send = consumers.BlogConsumer.send_text
    # A reader keeps no scope after its handshake: note the slow one while it has it.
    slow_readers: set[consumers.BlogConsumer] = set()

    async def noting_connect(self) -> None:
        if b"slow" in self.scope["query_string"]:
            slow_readers.add(self)
        await real_connect(self)

    async def stalled_send(self, text: str) -> None:
        if self in slow_readers:
            await asyncio.sleep(3600)  # a reader that never reads
        await real_send(self, text)

    monkeypatch.setattr(consumers.BlogConsumer, "connect", noting_connect)
    monkeypatch.setattr(consumers.BlogConsumer, "send_text", stalled_send)
    slow = await _connect("/ws/blogs/live/?slow=1")
    fast = await _connect("/ws/blogs/live/")
    for n in range(5):
        await _publish(live_blog, f"update {n}")
    assert [m["seq"] for m in await _receive_seqs(fast, 5)] == [3, 4, 5, 6, 7]
    assert await slow.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": consumers.CLOSE_TOO_SLOW,
    }
    await fast.disconnect()


async def test_an_event_whose_message_was_lost_arrives_by_the_log_check(live_blog, monkeypatch):
    monkeypatch.setattr(fanout, "LOG_CHECK_SECONDS", 0.2)
    reader = await _connect("/ws/blogs/live/")
    await _publish_lost_by_the_layer(
        monkeypatch, live_blog, "the last update of the night, lost by the layer"
    )
    (message,) = await _receive_seqs(reader, 1)
    assert message["entry"]["body"].startswith("the last update")
    await reader.disconnect()


@pytest.mark.parametrize("path", ["/ws/blogs/live/", "/ws/blogs/live/?after=2"])
async def test_an_event_committed_during_the_handshake_arrives_exactly_once(
    live_blog, monkeypatch, path
) -> None:
    real_accept = consumers.BlogConsumer.accept

    async def accept_while_an_editor_publishes(self, *args, **kwargs) -> None:
        await _publish(live_blog, "published mid-handshake")
        await real_accept(self, *args, **kwargs)

    monkeypatch.setattr(consumers.BlogConsumer, "accept", accept_while_an_editor_publishes)
    reader = await _connect(path)
    (message,) = await _receive_seqs(reader, 1)
    assert (message["seq"], message["entry"]["body"]) == (3, "published mid-handshake")
    assert await reader.receive_nothing(timeout=0.3)
    await reader.disconnect()


async def test_an_after_beyond_the_newest_event_is_refused(live_blog) -> None:
    communicator = WebsocketCommunicator(application, "/ws/blogs/live/?after=99", headers=ORIGIN)
    await communicator.connect()
    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": consumers.CLOSE_BAD_REQUEST,
    }


async def test_an_event_arriving_while_after_is_checked_against_the_log_is_not_lost(
    live_blog, monkeypatch
) -> None:
    # This process's hub has not heard of seqs 3-4 (their messages were lost); a reader comes
    # with after=4 from another process, and seq 5 arrives while the log is being checked.
    first = await _connect("/ws/blogs/live/")
    await _publish_lost_by_the_layer(monkeypatch, live_blog, "lost 3", "lost 4")
    real_newest = fanout.newest_logged_seq

    def newest_then_a_new_event(blog_id: int) -> int:
        newest = real_newest(blog_id)
        commands.entry_publish(blog=live_blog, body="five", actor="ed")
        time.sleep(0.3)  # the hub hands seq 5 over before the handshake goes on
        return newest

    monkeypatch.setattr(fanout, "newest_logged_seq", newest_then_a_new_event)
    reader = await _connect("/ws/blogs/live/?after=4")
    (message,) = await _receive_seqs(reader, 1)
    assert (message["seq"], message["entry"]["body"]) == (5, "five")
    assert await reader.receive_nothing(timeout=0.3)
    await reader.disconnect()
    await first.disconnect()


async def test_a_handshake_that_fails_on_the_database_leaves_nothing_behind(
    live_blog, monkeypatch
) -> None:
    def unreachable(blog_id: int) -> int:
        raise OperationalError("the database is restarting")

    layer = get_channel_layer()
    calls = _record_layer_calls(monkeypatch, layer, "group_add", "group_discard")
    real_newest = fanout.newest_logged_seq
    monkeypatch.setattr(fanout, "newest_logged_seq", unreachable)
    communicator = WebsocketCommunicator(application, "/ws/blogs/live/", headers=ORIGIN)
    with contextlib.suppress(OperationalError):
        await communicator.connect()
    assert not fanout.hub_for(layer, live_blog.pk).readers
    assert calls == ["group_add", "group_discard"]  # no subscription left without a pump
    monkeypatch.setattr(fanout, "newest_logged_seq", real_newest)
    reader = await _connect("/ws/blogs/live/")
    await _publish(live_blog, "after the restart")
    assert [m["seq"] for m in await _receive_seqs(reader, 1)] == [3]
    await reader.disconnect()


async def test_a_quiet_blog_s_readers_hear_heartbeats_naming_the_newest_seq(
    live_blog, monkeypatch
) -> None:
    monkeypatch.setattr(fanout, "HEARTBEAT_SECONDS", 0.2)
    reader = await _connect("/ws/blogs/live/")
    heartbeat = json.loads(await reader.receive_from(timeout=3))
    assert heartbeat == {"type": "heartbeat", "last_seq": 2, "interval": 0.2}
    await _publish(live_blog, "news")
    messages = await _receive_seqs(reader, 1)
    while messages[-1].get("seq") != 3:  # a heartbeat may come while the editor publishes
        assert messages[-1]["last_seq"] == 2
        messages += await _receive_seqs(reader, 1)
    assert await _receive_seqs(reader, 1) == [{"type": "heartbeat", "last_seq": 3, "interval": 0.2}]
    await reader.disconnect()
