"""Who is asking: the client's address, which a client cannot forge.

Behind a proxy, the connection comes from the proxy, and the reader's own address is in the
``X-Forwarded-For`` header the proxy adds; but any client can send that header too. So the
app believes it only from the proxies ``settings.LIVEBLOG_TRUSTED_PROXIES`` names
(``LIVEBLOG_TRUSTED_PROXIES`` in the environment: addresses and networks). ``TrustedProxies``
stands in front of the whole ASGI app and hands the job to uvicorn's
``ProxyHeadersMiddleware``: from a trusted peer, it walks ``X-Forwarded-For`` from the right
(the last hop, written by our own proxy) past every trusted proxy, and the first address that
is not one is the client; from any other peer the headers are ignored. It writes that
address into the scope's ``client`` (and ``X-Forwarded-Proto`` into its ``scheme``), in
place, so uvicorn's access log names the reader too, and Django passes it on as
``REMOTE_ADDR``. Everything that counts or logs clients reads it through ``client_address``:
the API throttles, the WebSocket cap (``liveblog.limits``) and their log lines.

One mechanism: uvicorn itself runs with ``--no-proxy-headers`` (README), so nothing
rewrites the client before this does. With uvicorn's own proxy headers on as well, its
default trust of 127.0.0.1 would apply first, whatever the setting says.

Only ``X-Forwarded-For`` is read, not the standard ``Forwarded`` header (RFC 7239): nginx,
HAProxy and the cloud load balancers write ``X-Forwarded-For``, and a proxy that sets one of
the two headers passes the other on as the client sent it, so reading both would let a
client choose the one it forged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from liveblog.passthrough import passes_through

Scope = dict[str, Any]
App = Callable[..., Awaitable[None]]

#: The address when the server gives none (a Unix socket, a test scope without one).
UNKNOWN = "unknown"


class TrustedProxies:
    """ASGI middleware: the scope's client is the first address no trusted proxy vouches for.

    The setting is read at each request (a list compare), so tests can change it.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self._trusted: list[str] = []
        self._middleware: App = app

    @passes_through
    def __call__(self, scope: Scope, receive: Any, send: Any) -> Awaitable[None]:
        trusted = settings.LIVEBLOG_TRUSTED_PROXIES
        if trusted != self._trusted:
            self._trusted = list(trusted)
            self._middleware = (
                ProxyHeadersMiddleware(self.app, trusted_hosts=self._trusted)
                if trusted
                else self.app
            )
        return self._middleware(scope, receive, send)


def client_address(source: Scope | HttpRequest | Request) -> str:
    """The client's address, from an ASGI scope or a request that passed ``TrustedProxies``.

    Never ``X-Forwarded-For`` itself, as DRF's throttles would read it from anyone.
    """
    if isinstance(source, dict):
        client = source.get("client")
        return client[0] if client and client[0] else UNKNOWN
    return source.META.get("REMOTE_ADDR") or UNKNOWN
