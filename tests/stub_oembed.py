"""A stub oEmbed provider on 127.0.0.1: tests never reach the internet."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests import samples


class StubProvider:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.requests: list[str] = []
        self.delay = 0.0
        self.status = 200


def _handler(stub: StubProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            stub.requests.append(self.path)
            parts = urlsplit(self.path)
            if stub.delay:
                time.sleep(stub.delay)
            if parts.path == "/thumb.jpg":
                body, content_type = samples.photo(640, 360, orientation=None), "image/jpeg"
            elif parts.path == "/oembed" and stub.status == 200:
                url = parse_qs(parts.query)["url"][0]
                body = json.dumps(
                    {
                        "type": "video",
                        "version": "1.0",
                        "title": "Harbour wall gives way",
                        "author_name": "Cornwall Live",
                        "author_url": "https://www.youtube.com/@cornwall",
                        "provider_name": "YouTube",
                        "thumbnail_url": f"{stub.base}/thumb.jpg",
                        "html": f'<iframe src="https://www.youtube.com/embed/{url[-3:]}"></iframe>',
                    }
                ).encode()
                content_type = "application/json"
            else:
                self.send_response(stub.status if stub.status != 200 else 404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def running() -> Iterator[StubProvider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    stub = StubProvider(server)
    server.RequestHandlerClass = _handler(stub)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
