"""liveblog.wsprotocol: uvicorn's websockets-sansio protocol, keeping less per connection.

Behaviour through a real uvicorn server (in this process, so that a test can look at the
protocol objects it holds), compared with uvicorn's own protocol where the two must differ;
and a guard on the uvicorn internals the subclass relies on.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import gc
import inspect
import socket
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from asgiref.sync import sync_to_async
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.asyncio.client import ClientConnection, connect
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Response
from websockets.typing import Origin

from config.asgi import application
from liveblog import commands
from liveblog.wsprotocol import UVICORN_WS, LeanWebSocketProtocol, ReceiveQueue, WritableFlag

PLAIN = "websockets-sansio"
#: A header only the test's handshakes carry, to find what still holds them.
MARKER = "x-handshake-marker"

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """Accept ``/``, push a greeting, echo texts, close with the code a client asks for.

    ``/refuse`` is closed before it is accepted, ``/busy`` answered with a 429 body.
    """
    if scope["type"] != "websocket":
        return
    assert (await receive())["type"] == "websocket.connect"
    if scope["path"] == "/refuse":
        await send({"type": "websocket.close"})
        return
    if scope["path"] == "/busy":
        await send({"type": "websocket.http.response.start", "status": 429, "headers": []})
        await send({"type": "websocket.http.response.body", "body": b"busy"})
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "hello"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            CLOSES.append(message["code"])
            return
        text = message["text"]
        if text.startswith("close "):
            await send({"type": "websocket.close", "code": int(text.split()[1])})
        else:
            await send({"type": "websocket.send", "text": text})


#: The close codes ``app`` received, in order.
CLOSES: list[int] = []


class Running:
    def __init__(self, server: uvicorn.Server, port: int) -> None:
        self.server = server
        self.port = port
        self.url = f"ws://127.0.0.1:{port}"
        #: This server's handshakes carry it, so a test finds them among any other test's.
        self.marker = uuid.uuid4().hex

    def protocols(self) -> list[Any]:
        return list(self.server.server_state.connections)

    def connect(self, path: str = "/", **kwargs: Any) -> Any:
        return connect(
            self.url + path, additional_headers={MARKER: self.marker}, compression=None, **kwargs
        )


@contextlib.asynccontextmanager
async def running(ws: str, **options: Any) -> AsyncIterator[Running]:
    """A uvicorn server on a free port with the README's flags, as a task of this loop."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws=ws,
        ws_max_size=65536,
        ws_per_message_deflate=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        log_level="warning",
        **{"ws_ping_interval": 20.0, "ws_ping_timeout": 20.0, **options},
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    CLOSES.clear()
    try:
        yield Running(server, port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def _handshakes_alive(server: Running, client: ClientConnection) -> tuple[int, int]:
    """How many handshake request headers and 101 responses the server still holds (the
    client, in this process too, keeps its own)."""
    gc.collect()
    objects = gc.get_objects()
    assert client.request is not None and client.response is not None
    requests = sum(
        1
        for o in objects
        if type(o) is Headers and o.get(MARKER) == server.marker and o is not client.request.headers
    )
    responses = sum(
        1
        for o in objects
        if type(o) is Response
        and o.status_code == 101
        and o.headers.get("sec-websocket-accept") == client.response.headers["sec-websocket-accept"]
        and o is not client.response
    )
    return requests, responses


def _scopes_alive(server: Running) -> int:
    """How many scopes of connections to ``server`` are reachable (the app's copies too)."""
    gc.collect()
    return sum(
        1
        for o in gc.get_objects()
        if type(o) is dict
        and o.get("type") == "websocket"
        and o.get("server") == ("127.0.0.1", server.port)
    )


@pytest.mark.django_db(transaction=True)
async def test_an_idle_reader_of_the_project_keeps_no_scope(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # Directly connected readers; behind trusted proxies, uvicorn's ProxyHeadersMiddleware
    # (liveblog.clients) still keeps the scope in its frame.
    settings.LIVEBLOG_TRUSTED_PROXIES = []
    blog = await sync_to_async(commands.blog_create)(slug="live", title="Live", actor="editor")
    await sync_to_async(commands.blog_open)(blog=blog, actor="editor")
    monkeypatch.setattr(sys.modules[__name__], "app", application)
    async with running(UVICORN_WS) as server:
        reader = connect(
            server.url + "/ws/blogs/live/", origin=Origin("http://localhost"), compression=None
        )
        async with reader:
            # Once the consumer has finished its handshake.
            for _ in range(50):
                if _scopes_alive(server) == 0:
                    break
                await asyncio.sleep(0.02)
            assert _scopes_alive(server) == 0
            (protocol,) = server.protocols()
            assert protocol.handshake_complete and not protocol.close_sent


@pytest.fixture(params=[UVICORN_WS, PLAIN])
def ws(request: pytest.FixtureRequest) -> str:
    """Ours, and uvicorn's own to show the behaviour is the same."""
    return str(request.param)


@pytest.mark.parametrize(("ws", "kept"), [(UVICORN_WS, False), (PLAIN, True)])
async def test_an_open_connection_keeps_no_handshake_only_uvicorns_own_does(
    ws: str, kept: bool
) -> None:
    async with running(ws) as server, server.connect() as client:
        assert await client.recv() == "hello"
        requests, responses = _handshakes_alive(server, client)
        assert (requests, responses) == ((1, 1) if kept else (0, 0))
        # The app's scope is its own to keep: this app's frame still holds it.
        assert _scopes_alive(server) == 1
        (protocol,) = server.protocols()
        assert isinstance(protocol, LeanWebSocketProtocol) is not kept
        assert hasattr(protocol, "request") is kept
        assert hasattr(protocol, "scope") is kept


async def test_a_connection_is_pushed_to_echoes_and_pings(ws: str) -> None:
    async with running(ws, ws_ping_interval=0.05) as server, server.connect() as client:
        assert await client.recv() == "hello"
        for text in ("one", "two", "x" * 60_000):
            await client.send(text)
            assert await client.recv() == text
        await asyncio.wait_for(await client.ping(), 5)
        # The server's own keepalive pings were answered.
        await asyncio.sleep(0.3)
        (protocol,) = server.protocols()
        assert protocol.last_ping_rtt > 0
        assert protocol.ping_timer is not None or protocol.pong_timer is not None


async def test_close_codes_go_both_ways(ws: str) -> None:
    async with running(ws) as server:
        async with server.connect() as client:
            assert await client.recv() == "hello"
            await client.send("close 4001")
            with pytest.raises(ConnectionClosed) as closed:
                await client.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
        async with server.connect() as client:
            assert await client.recv() == "hello"
        for _ in range(100):
            if 1000 in CLOSES:
                break
            await asyncio.sleep(0.01)
        assert CLOSES == [4001, 1000]


async def test_oversized_frames_close_with_1009(ws: str) -> None:
    async with running(ws) as server, server.connect() as client:
        assert await client.recv() == "hello"
        await client.send("x" * 65_537)
        with pytest.raises(ConnectionClosed) as closed:
            await client.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_an_unanswered_ping_closes_the_connection_with_1011(ws: str) -> None:
    async with running(ws, ws_ping_interval=0.05, ws_ping_timeout=0.1) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        # Read without answering: the greeting, a ping, then the close frame, then EOF.
        received = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        close = received[received.rindex(b"\x88") :]
        assert int.from_bytes(close[2:4], "big") == 1011
        assert b"\x89\x04" in received  # the ping


async def test_refusals_are_answered_as_uvicorn_answers_them(ws: str) -> None:
    async with running(ws) as server:
        with pytest.raises(InvalidStatus) as refused:
            async with server.connect("/refuse"):
                pass
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus) as busy:
            async with server.connect("/busy"):
                pass
        assert busy.value.response.status_code == 429
        assert busy.value.response.body == b"busy"
        # A handshake websockets itself refuses never reaches the app.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 400 ")
        assert b"Sec-WebSocket-Key" in answer


async def test_a_send_waits_while_the_transport_is_paused(ws: str) -> None:
    async with running(ws) as server, server.connect() as client:
        assert await client.recv() == "hello"
        (protocol,) = server.protocols()
        protocol.pause_writing()
        await client.send("held")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.recv(), 0.2)
        protocol.resume_writing()
        assert await asyncio.wait_for(client.recv(), 5) == "held"


async def test_shutdown_closes_open_connections_with_1012(ws: str) -> None:
    async with running(ws) as server:
        client: ClientConnection = await server.connect()
        assert await client.recv() == "hello"
        server.server.should_exit = True
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(client.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
        await client.close()


# --- the queue and the flag ----------------------------------------------------------------


async def test_the_receive_queue_is_first_in_first_out_and_wakes_getters_in_turn() -> None:
    queue: ReceiveQueue[int] = ReceiveQueue()
    assert queue.empty()
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait(1)
    queue.put_nowait(2)
    queue.put_nowait(3)
    assert (await first, await second) == (1, 2)
    assert not queue.empty()
    assert await queue.get() == 3
    assert queue.empty()


async def test_a_cancelled_getter_leaves_its_item_to_the_next() -> None:
    queue: ReceiveQueue[str] = ReceiveQueue()
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("item")  # wakes the first...
    first.cancel()  # ...which is cancelled before it runs
    assert await asyncio.wait_for(second, 1) == "item"
    with pytest.raises(asyncio.CancelledError):
        await first
    waiting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    queue.put_nowait("later")
    assert await queue.get() == "later"


async def test_the_writable_flag_holds_waiters_until_set() -> None:
    flag = WritableFlag()
    assert not flag.is_set()
    flag.set()
    assert await flag.wait() is True
    flag.clear()
    waiters = [asyncio.create_task(flag.wait()) for _ in range(2)]
    cancelled = asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    assert await asyncio.gather(*waiters) == [True, True]
    assert cancelled.cancelled()


# --- what the subclass relies on in uvicorn ------------------------------------------------


def _uses(cls: type, attribute: str) -> dict[str, list[str]]:
    """Per method of ``cls``, how each ``self.<attribute>`` is used: the method called on it,
    "call" (itself called), "store", "del", or "read"."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    found: dict[str, list[str]] = {}
    for method in tree.body[0].body:  # type: ignore[attr-defined]
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        parents = {child: node for node in ast.walk(method) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(method):
            if not (
                isinstance(node, ast.Attribute)
                and node.attr == attribute
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                continue
            parent = parents[node]
            if isinstance(parent, ast.Call) and parent.func is node:
                use = "call"
            elif isinstance(node.ctx, ast.Store):
                use = "store"
            elif isinstance(node.ctx, ast.Del):
                use = "del"
            elif isinstance(parent, ast.Attribute) and isinstance(parents[parent], ast.Call):
                use = parent.attr
            else:
                use = "read"
            found.setdefault(method.name, []).append(use)
    return found


def test_uvicorns_protocol_still_uses_what_the_subclass_changes_as_it_did() -> None:
    """uvicorn is pinned (requirements.lock); after an upgrade, this says what to re-check.

    The handshake's request, response and scope are released once the 101 is sent, and the
    queue and ``writable`` event are replaced by objects with only the methods named here.
    A new use of any of them in uvicorn's protocol must be read before it is allowed.
    """
    base = WebSocketsSansIOProtocol
    expected = {
        "request": {"handle_connect": ["store"]},
        "response": {"handle_connect": ["store", "read", "read"], "send": ["read", "read", "read"]},
        "queue": {
            "__init__": ["store"],
            "connection_lost": ["put_nowait"],
            "shutdown": ["put_nowait"],
            "handle_connect": ["put_nowait"],
            "send_receive_event_to_app": ["put_nowait", "put_nowait"],
            "handle_close": ["put_nowait"],
            "handle_parser_exception": ["put_nowait"],
            "send": ["put_nowait", "put_nowait", "put_nowait"],
            "receive": ["get", "empty"],
        },
        "writable": {
            "__init__": ["store", "set"],
            "connection_lost": ["set"],
            "pause_writing": ["clear"],
            "resume_writing": ["set"],
            "send": ["wait"],
        },
        "start_keepalive": {"send": ["call"]},
    }
    actual = {name: _uses(base, name) for name in expected}
    scope = _uses(base, "scope")
    assert actual == expected, (
        "uvicorn's websockets-sansio protocol changed how it uses what liveblog.wsprotocol "
        "releases or replaces: read its new code and update the subclass and this test"
    )
    # The scope is read in the handshake's log lines and passed to the app, nowhere else.
    assert scope == {"handle_connect": ["store"], "run_asgi": ["read"], "send": ["read"] * 6}
    # In send, the scope is read only until the handshake is answered, and start_keepalive
    # is called right after the 101 is written.
    send = ast.parse(textwrap.dedent(inspect.getsource(base.send))).body[0]
    (handshake,) = [
        node
        for node in ast.walk(send)
        if isinstance(node, ast.If)
        and ast.unparse(node.test)
        == "not self.handshake_complete and self.initial_response is None"
    ]
    reads = [
        node
        for node in ast.walk(handshake)
        if isinstance(node, ast.Attribute) and node.attr == "scope"
    ]
    assert len(reads) == 6
    (block,) = [
        lines
        for node in ast.walk(handshake)
        for lines in [[ast.unparse(statement) for statement in getattr(node, "body", [])]]
        if "self.start_keepalive()" in lines
    ]
    assert block == [
        "self.handshake_complete = True",
        "self.conn.send_response(self.response)",
        "output = self.conn.data_to_send()",
        "self.transport.write(b''.join(output))",
        "self.start_keepalive()",
    ]
