"""The HTTP client that POSTs to subscribers: guarded, bounded, and never following redirects.

httpcore (the connection layer under httpx) sends the requests and keeps connections to each
receiver open between deliveries. It follows no redirects, so a 3xx is a failed delivery
whose message asks for the final URL: following one would let a receiver send us anywhere,
including an internal address. Its network backend is where we check addresses: the name is
resolved and every address refused that is not public (loopback, private ranges, link-local
and cloud metadata endpoints, ...) unless ``LIVEBLOG_WEBHOOK_ALLOW_PRIVATE`` is on. The check
happens when connecting, on the address actually used, so a name that resolves elsewhere
later (DNS rebinding) is caught too. TLS still verifies the certificate against the name.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
from django.utils import timezone

#: How much of a receiver's answer is read; the rest is not awaited (the connection closes).
MAX_RESPONSE_BYTES = 64 * 1024
#: How much of a failed answer is kept in the delivery log.
ERROR_EXCERPT_CHARACTERS = 200
CONNECT_TIMEOUT_SECONDS = 5.0
USER_AGENT = "liveblog-webhooks/1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefusedError(httpcore.ConnectError):
    """The receiver's name resolves only to addresses we do not send webhooks to."""


def is_public_address(address: IPAddress) -> bool:
    """Whether an address is on the public internet (so not internal to any deployment)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def address_refusal(host: str, *, allow_private: bool) -> str | None:
    """Why a literal IP address or a local name may not receive webhooks, or None."""
    name = host.strip("[]").lower().rstrip(".")
    if allow_private:
        return None
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} is this machine"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None  # a name: checked on every connection
    if not is_public_address(address):
        return f"{host} is not a public internet address"
    return None


class GuardedBackend(httpcore.NetworkBackend):
    """Connects only to public addresses (unless private ones are allowed)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} could not be resolved ({exc})") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        allowed = [
            address
            for address in addresses
            if self.allow_private or is_public_address(ipaddress.ip_address(address))
        ]
        if not allowed:
            raise AddressRefusedError(
                f"{host} resolves to {', '.join(addresses)}, which is not a public internet "
                "address; webhooks are only sent to the public internet"
            )
        failure: httpcore.ConnectError | None = None
        for address in allowed:
            try:
                return self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = failure or httpcore.ConnectError(f"{host} ({address}): {exc}")
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise AddressRefusedError("webhooks are not sent to Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclasses.dataclass(frozen=True)
class Response:
    """What came of one POST: a status, or the reason there was none."""

    status: int | None
    error: str = ""
    retry_after: float | None = None
    seconds: float = 0.0

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """410: the receiver says it wants no more webhooks from us."""
        return self.status == 410


class Sender:
    """POSTs to receivers over a pool of kept-alive connections; safe to share between threads."""

    def __init__(self, *, timeout: float, allow_private: bool, max_connections: int = 20) -> None:
        self.timeout = timeout
        self._pool = httpcore.ConnectionPool(
            network_backend=GuardedBackend(allow_private=allow_private),
            max_connections=max_connections,
            keepalive_expiry=30.0,
            retries=0,
        )

    def close(self) -> None:
        self._pool.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """POST ``body``; never raises for anything the receiver or the network does."""
        started = time.monotonic()
        sent = {"content-type": "application/json", "user-agent": USER_AGENT, **headers}
        timeouts = {
            "connect": min(CONNECT_TIMEOUT_SECONDS, self.timeout),
            "read": self.timeout,
            "write": self.timeout,
            "pool": self.timeout,
        }
        try:
            with self._pool.stream(
                "POST",
                url,
                headers=list(sent.items()),
                content=body,
                extensions={"timeout": timeouts},
            ) as response:
                answer = self._read_some(response, started)
                status = response.status
                response_headers = {
                    key.decode("latin-1").lower(): value.decode("latin-1")
                    for key, value in response.headers
                }
        except httpcore.TimeoutException:
            return self._failed(started, f"no answer within {self.timeout:g} s")
        except AddressRefusedError as exc:
            return self._failed(started, f"refused: {exc}")
        except httpcore.ConnectError as exc:
            return self._failed(started, f"could not connect: {exc or 'connection refused'}")
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            return self._failed(started, f"the connection failed: {exc or type(exc).__name__}")
        except httpcore.UnsupportedProtocol as exc:
            return self._failed(started, f"unsupported address: {exc}")
        except _TooSlow:
            return self._failed(started, f"the answer took longer than {self.timeout:g} s")
        except (ValueError, UnicodeError) as exc:  # refused at registration; kept safe here
            return self._failed(started, f"the URL cannot be used: {exc}")
        seconds = time.monotonic() - started
        if 200 <= status < 300:
            return Response(status, seconds=seconds)
        return Response(
            status,
            error=_describe_failure(status, response_headers, answer),
            retry_after=_retry_after(response_headers.get("retry-after")),
            seconds=seconds,
        )

    def _read_some(self, response: httpcore.Response, started: float) -> bytes:
        """Up to MAX_RESPONSE_BYTES of the answer, within the timeout; the rest is dropped."""
        kept = bytearray()
        for chunk in response.iter_stream():
            kept += chunk[: MAX_RESPONSE_BYTES - len(kept)]
            if len(kept) >= MAX_RESPONSE_BYTES:
                break
            if time.monotonic() - started > self.timeout:
                raise _TooSlow
        return bytes(kept)

    def _failed(self, started: float, error: str) -> Response:
        return Response(None, error=error, seconds=time.monotonic() - started)


class _TooSlow(Exception):
    pass


def _describe_failure(status: int, headers: Mapping[str, str], answer: bytes) -> str:
    if 300 <= status < 400:
        target = headers.get("location", "")
        return f"HTTP {status}: redirects are not followed; register the address it points to" + (
            f" ({target[:ERROR_EXCERPT_CHARACTERS]})" if target else ""
        )
    text = answer.decode("utf-8", errors="replace").strip()
    excerpt = " ".join(text.split())[:ERROR_EXCERPT_CHARACTERS]
    return f"HTTP {status}" + (f": {excerpt}" if excerpt else "")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())
