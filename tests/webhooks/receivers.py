"""Webhook receivers on 127.0.0.1 for tests: they record what arrives and answer as told.

A receiver can answer 2xx, fail with any status, hang (until released or stopped), or be
down altogether (stopped: connections are refused) and come back on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.servers import free_port


@dataclass
class Received:
    """One request as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)

    @property
    def message(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def seq(self) -> int:
        return int(self.message["seq"])


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender that gave up on a hanging answer closed its socket: expected here


class Receiver:
    """An HTTP server that records every POST and answers ``status`` (or hangs)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        self.answer = b"ok"
        #: While set, requests wait (without answering) until ``release`` or ``stop``.
        self.hanging = False
        #: Events whose first request hangs like that (the seq is then taken out).
        self.hang_seqs: set[int] = set()
        self._released = threading.Event()
        self._lock = threading.Condition()
        self._server: _Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/live"

    def start(self) -> Receiver:
        self._released.clear()
        self._server = _Server(("127.0.0.1", self.port), self._handler())
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start`` again."""
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        """Let hanging requests end (their senders may have given up already)."""
        self.hanging = False
        self._released.set()

    def wait_for(self, count: int, timeout: float = 15) -> bool:
        """Wait until ``count`` requests have arrived."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.received) >= count, timeout)

    def seqs(self) -> list[int]:
        with self._lock:
            return [request.seq for request in self.received]

    def _hangs_on(self, request: Received) -> bool:
        with self._lock:
            if self.hang_seqs and request.seq in self.hang_seqs:
                self.hang_seqs.discard(request.seq)
                return True
            return False

    def _record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)
            self._lock.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                request = Received(self.path, headers, body)
                receiver._record(request)
                if receiver.hanging or receiver._hangs_on(request):
                    receiver._released.wait(60)
                    self.close_connection = True
                    return
                self.send_response(receiver.status)
                for key, value in receiver.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
