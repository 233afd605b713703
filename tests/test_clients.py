"""The client's address: the connection's own, unless a trusted proxy vouches for another."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory, override_settings

from liveblog.clients import UNKNOWN, TrustedProxies, client_address


async def _client_seen(
    peer: str | None, forwarded_for: list[str] | None = None, *, kind: str = "http"
) -> tuple[str, str]:
    """The address and scheme the app behind TrustedProxies sees for one connection."""
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)

    headers = [(b"x-forwarded-for", value.encode("latin-1")) for value in forwarded_for or []]
    headers.append((b"x-forwarded-proto", b"https"))
    scope = {
        "type": kind,
        "scheme": "http" if kind == "http" else "ws",
        "client": (peer, 50_000) if peer else None,
        "headers": headers,
    }
    await TrustedProxies(app)(scope, None, None)
    return client_address(seen), seen["scheme"]


async def test_without_trusted_proxies_the_connection_is_the_client() -> None:
    assert await _client_seen("203.0.113.7", ["198.51.100.1"]) == ("203.0.113.7", "http")
    assert await _client_seen(None, ["198.51.100.1"]) == (UNKNOWN, "http")


@override_settings(LIVEBLOG_TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize("kind", ["http", "websocket"])
async def test_a_header_from_an_untrusted_peer_is_ignored(kind: str) -> None:
    address, scheme = await _client_seen("203.0.113.7", ["198.51.100.1"], kind=kind)
    assert address == "203.0.113.7"
    assert scheme in {"http", "ws"}
    assert (await _client_seen("2001:db8::1", ["10.0.0.2"], kind=kind))[0] == "2001:db8::1"


@override_settings(LIVEBLOG_TRUSTED_PROXIES=["10.0.0.0/8", "192.0.2.1"])
@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # One proxy: the address it appended.
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        # What the client wrote itself sits to the left of what our proxy appended.
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
        # Several proxies, several headers: walked from the right past every trusted one.
        ("192.0.2.1", ["6.6.6.6, 198.51.100.1", "10.1.2.3"], "198.51.100.1"),
        ("10.0.0.2", ["6.6.6.6,198.51.100.1,  192.0.2.1 ,10.9.9.9"], "198.51.100.1"),
        # A request from inside: every hop is trusted, so the first one is the client.
        ("10.0.0.2", ["10.0.0.9"], "10.0.0.9"),
        # A trusted proxy that adds no header leaves its own address.
        ("10.0.0.2", [], "10.0.0.2"),
    ],
)
async def test_a_trusted_proxy_names_the_client(
    peer: str, forwarded_for: list[str], client: str
) -> None:
    address, scheme = await _client_seen(peer, forwarded_for)
    assert address == client
    assert scheme == "https"  # X-Forwarded-Proto counts from a trusted proxy only


@override_settings(LIVEBLOG_TRUSTED_PROXIES=["10.0.0.2"])
async def test_the_address_is_written_into_the_servers_own_scope() -> None:
    # uvicorn's access log reads the scope it handed over: it names the reader, not the proxy.
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        pass

    scope = {
        "type": "http",
        "client": ("10.0.0.2", 50_000),
        "headers": [(b"x-forwarded-for", b"198.51.100.1")],
    }
    await TrustedProxies(app)(scope, None, None)
    assert scope["client"] == ("198.51.100.1", 0)


async def test_the_setting_is_read_at_each_connection() -> None:
    assert (await _client_seen("10.0.0.2", ["198.51.100.1"]))[0] == "10.0.0.2"
    with override_settings(LIVEBLOG_TRUSTED_PROXIES=["10.0.0.2"]):
        assert (await _client_seen("10.0.0.2", ["198.51.100.1"]))[0] == "198.51.100.1"


def test_a_request_is_from_its_remote_addr_never_its_header() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert client_address(request) == "203.0.113.7"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="")) == UNKNOWN
