"""ASGI layers that hand a connection on: an idle reader keeps only the frames it needs."""

from __future__ import annotations

import types
from typing import Any

import pytest
from channels.testing.websocket import WebsocketCommunicator
from django.urls import path, re_path
from uvicorn.config import Config

from config.asgi import application
from liveblog import commands
from liveblog.models import Blog
from liveblog.passthrough import FlatURLRouter, ProtocolRouter

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


@pytest.fixture
def live_blog(db) -> Blog:
    blog = commands.blog_create(slug="live", title="Live", actor="editor")
    return commands.blog_open(blog=blog, actor="editor")


def _awaiting(awaitable: Any) -> list[types.CodeType]:
    """The code of each coroutine in the chain that ``awaitable`` is waiting through."""
    chain = []
    while isinstance(awaitable, types.CoroutineType):
        chain.append(awaitable.cr_code)
        awaitable = awaitable.cr_await
    return chain


@pytest.mark.django_db(transaction=True)
async def test_an_idle_reader_keeps_only_the_limit_and_its_consumer_on_the_stack(
    live_blog: Blog,
) -> None:
    reader = WebsocketCommunicator(application, f"/ws/blogs/{live_blog.slug}/", headers=ORIGIN)
    assert (await reader.connect())[0]

    chain = _awaiting(reader.future.get_coro())
    # The connection cap must stay to count the reader out; the consumer reads the socket;
    # the queue is the test's socket. The lifespan, proxy, protocol, origin and URL layers
    # and Channels' per-consumer wrapper are gone once the reader is routed.
    assert [code.co_qualname for code in chain] == [
        "WebSocketConnectionLimit.__call__",
        "BlogConsumer._serve",
        "Queue.get",
    ]
    # Nor does it keep the routed copy of the scope (headers, query, url_route).
    consumer = reader.future.get_coro().cr_await.cr_frame.f_locals["self"]
    assert "url_route" not in consumer.scope
    assert consumer.delivery is not None, "the reader did not join its blog"
    await reader.disconnect()


def test_uvicorn_takes_the_application_for_asgi3() -> None:
    # A plain function returning a coroutine would be taken for an ASGI 2 app and wrapped.
    config = Config("config.asgi:application")
    config.load()
    assert config.interface == "asgi3"


def _recording(seen: list[dict[str, Any]]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)

    return app


async def test_the_flat_router_routes_like_channels_url_router() -> None:
    seen: list[dict[str, Any]] = []
    router = FlatURLRouter(
        [path("ws/blogs/<slug:slug>/", _recording(seen)), re_path(r"", _recording(seen))]
    )
    scope = {"type": "websocket", "path": "/live/ws/blogs/day-one/", "root_path": "/live"}
    await router(scope, None, None)
    (routed,) = seen
    assert routed["url_route"] == {"args": (), "kwargs": {"slug": "day-one"}}
    assert routed["path_remaining"] == ""
    assert "url_route" not in scope, "the server's scope was changed"

    await router({"type": "websocket", "path": "/ws/anything/"}, None, None)
    assert seen[-1]["url_route"] == {"args": (), "kwargs": {}}
    with pytest.raises(ValueError, match="No route found"):
        await router({"type": "websocket", "path": "/elsewhere/", "root_path": "/live"}, None, None)


def test_the_flat_router_refuses_a_nested_router() -> None:
    with pytest.raises(ValueError, match="nested"):
        FlatURLRouter([path("ws/", FlatURLRouter([]))])


async def test_the_protocol_router_refuses_an_unknown_protocol() -> None:
    seen: list[dict[str, Any]] = []
    router = ProtocolRouter({"websocket": _recording(seen)})
    await router({"type": "websocket"}, None, None)
    assert [scope["type"] for scope in seen] == ["websocket"]
    with pytest.raises(ValueError, match="'http'"):
        router({"type": "http"}, None, None)
