"""ASGI layers that decide at the start of a connection, then step aside.

A layer written as ``async def __call__`` ending in ``await self.app(...)`` stays on the stack
for as long as its connection lives: a frame, and whatever its locals hold, per open
WebSocket. A layer with nothing to do once the inner app returns can instead return the inner
app's coroutine, which the server then awaits itself. ``passes_through`` marks such a
``__call__``: servers and asgiref tell an ASGI 3 app from an ASGI 2 one by
``iscoroutinefunction``, and a plain function returning a coroutine would otherwise be taken
for the old double-callable style. Figures: BENCHMARKS.md, "Memory per idle WebSocket".

The two routers here are Channels' own with such a ``__call__``; the mapping and the routes
are theirs, so code and tests that read ``application_mapping`` or ``routes`` still work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import markcoroutinefunction
from channels.routing import ProtocolTypeRouter, URLRouter

Scope = dict[str, Any]
App = Callable[..., Awaitable[None]]
_Call = TypeVar("_Call", bound=Callable[..., Awaitable[None]])


def passes_through(call: _Call) -> _Call:
    """Mark a ``__call__`` that returns the inner app's coroutine as an ASGI 3 entry point."""
    return markcoroutinefunction(call)


class ProtocolRouter(ProtocolTypeRouter):
    """Channels' ``ProtocolTypeRouter``, handing the connection on rather than awaiting it."""

    @passes_through
    def __call__(self, scope: Scope, receive: Any, send: Any) -> Awaitable[None]:
        application = self.application_mapping.get(scope["type"])
        if application is None:
            raise ValueError(f"No application configured for scope type {scope['type']!r}")
        return application(scope, receive, send)


class FlatURLRouter(URLRouter):
    """Channels' ``URLRouter`` for a flat list of routes (no nested router, no ``include``),
    handing the connection on rather than awaiting it.

    Like Channels', it gives the route's app a copy of the scope with ``url_route`` and
    ``path_remaining`` added.
    """

    def __init__(self, routes: list[Any]) -> None:
        super().__init__(routes)
        for route in self.routes:
            if getattr(route.callback, "_path_routing", False):
                raise ValueError(f"{route}: FlatURLRouter does not take nested routers")

    @passes_through
    def __call__(self, scope: Scope, receive: Any, send: Any) -> Awaitable[None]:
        path = scope["path"]
        root_path = scope.get("root_path", "")
        if root_path:
            if not path.startswith(root_path):
                raise ValueError(f"No route found for path {path!r}.")
            path = path[len(root_path) :]
        path = path.lstrip("/")
        for route in self.routes:
            match = route.pattern.match(path)
            if match:
                remaining, args, kwargs = match
                kwargs.update(route.default_args)
                routed = dict(
                    scope, path_remaining=remaining, url_route={"args": args, "kwargs": kwargs}
                )
                return route.callback(routed, receive, send)
        raise ValueError(f"No route found for path {path!r}.")


def consumer_app(consumer_class: type[Any], **initkwargs: Any) -> Any:
    """Channels' ``consumer_class.as_asgi(**initkwargs)``: a new consumer per connection,
    handed the connection rather than awaited by a frame of its own.

    Typed ``Any`` like Channels' own, since Django's ``path()`` expects a view.
    """

    @passes_through
    def app(scope: Scope, receive: Any, send: Any) -> Awaitable[None]:
        return consumer_class(**initkwargs)(scope, receive, send)

    # What Channels' as_asgi() sets, for code that asks a route for its consumer; a function
    # object takes attributes that its type does not declare.
    app.consumer_class = consumer_class  # type: ignore[attr-defined]
    app.consumer_initkwargs = initkwargs  # type: ignore[attr-defined]
    return app
