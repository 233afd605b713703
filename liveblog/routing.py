"""Which WebSocket reaches which consumer, and a plain refusal for anything else.

Channels' ``URLRouter`` raises a ValueError for a path no route matches, which the server
logs with a traceback and answers 500; and its origin check raises on an Origin header that
Python's ``urlparse`` cannot read (``http://[``, a port over 65535). Both are a client's
mistake, so both are refused here like a foreign origin: the handshake is closed before it is
accepted, which the server answers with HTTP 403. (Not a 404 through the denial-response
extension: uvicorn's websockets-sansio logs an error after each of those, Kludex/uvicorn#3138.)
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from urllib.parse import ParseResult, urlparse

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.urls import path, re_path

from liveblog.consumers import BlogConsumer
from liveblog.desk_consumer import DeskConsumer
from liveblog.limits import Receive, Scope, Send
from liveblog.passthrough import consumer_app, passes_through

websocket_urlpatterns = [
    # A process holds thousands of readers: their route keeps no frame per connection
    # (liveblog.passthrough).
    path("ws/blogs/<slug:slug>/", consumer_app(BlogConsumer)),
    # The members' desk: the only socket that reads the admin's session (readers are anonymous
    # and cost no session lookup).
    path("ws/desk/<str:slug>/", AuthMiddlewareStack(DeskConsumer.as_asgi())),
    # Any other path: refused, rather than a ValueError from the router.
    re_path(r"", WebsocketDenier.as_asgi()),
]


class ReadableOriginValidator(OriginValidator):
    """Channels' origin check, refusing an Origin header it cannot parse instead of raising.

    Its rules are Channels' (``valid_origin``); it hands an allowed connection on rather than
    awaiting it (``liveblog.passthrough``).
    """

    @passes_through
    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "websocket":
            raise ValueError("You cannot use OriginValidator on a non-WebSocket connection")
        if _origins_parse(scope) and self.valid_origin(_origin(scope)):
            return self.application(scope, receive, send)
        return WebsocketDenier()(scope, receive, send)


def _origins_parse(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"origin":
            try:
                urlparse(value.decode("latin-1")).port  # noqa: B018 (reading it is the check)
            except ValueError:
                return False
    return True


def _origin(scope: Scope) -> ParseResult | None:
    """The last Origin header, parsed as Channels' ``OriginValidator`` does; None if none."""
    origin = None
    for name, value in scope.get("headers", []):
        if name == b"origin":
            origin = urlparse(value.decode("latin-1"))
    return origin


def allowed_origins_only(app: Any) -> ReadableOriginValidator:
    """Channels' AllowedHostsOriginValidator: sockets only from the site's own pages."""
    return ReadableOriginValidator(app, settings.ALLOWED_HOSTS)
