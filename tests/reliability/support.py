"""What the reliability tests share: which services run, tuned servers, a private Redis, HTTP."""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.servers import Server, free_port, server_env

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
ON_REDIS = bool(settings.REDIS_URL)

#: The frame size the Makefile and README run uvicorn with.


class TunedServer(Server):
    """A server that logs to a file, with the README's flags (as every test server has)."""

    def __init__(
        self, port: int, env: Mapping[str, str], log: Path, flags: Sequence[str] = ()
    ) -> None:
        super().__init__(port, env, log, flags)

    @property
    def origin(self) -> str:
        return self.http


@contextlib.contextmanager
def tuned_servers(
    count: int, logs: Path, *, flags: Sequence[str] = (), **env: str
) -> Iterator[list[TunedServer]]:
    """Start ``count`` servers on the test database; stop them whatever happens."""
    started = []
    try:
        for n in range(count):
            port = free_port()
            log = logs / f"server-{n}-{port}.log"
            server = TunedServer(port, server_env(**env), log, flags)
            started.append(server)
            server.start()
        yield started
    except BaseException:
        for server in started:  # shown with the failure: what the servers said
            print(f"--- {server.log_path}\n{server.log()[-5000:]}")
        raise
    finally:
        for server in started:
            server.stop()


# --- A private Redis ---------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own, started with the machine's flags, that a test may shut down.

    Restarting the machine's Redis would break whatever else uses it at that moment (other
    suites on a shared machine, a developer's server); a second server from the same binary
    with the same flags is the same software under the same fault, and it cannot be left
    stopped by a test that dies half-way.
    """

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed, though REDIS_URL is set")
        self.process = subprocess.Popen(
            [
                binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                "--appendonly", "no", "--dir", str(self.directory),
                "--logfile", str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_until(self.ping, timeout):
            self.stop()
            raise RuntimeError(f"redis-server on port {self.port} did not answer PING")

    def stop(self) -> None:
        """Shut down as an operator would (``shutdown nosave``): every client is cut off."""
        if self.process is None:
            return
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
                capture_output=True,
                timeout=10,
            )
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


# --- The API over HTTP -------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | Sequence[bytes] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 15,
    source: str | None = None,
) -> Reply:
    """One request to a server; a list body is sent chunked (no Content-Length).

    ``source`` is the local address to connect from (any of 127.0.0.0/8 works on Linux), so
    a test can be several clients, or a proxy, on one machine.
    """
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        sent = dict(headers or {})
        if isinstance(body, list | tuple):
            conn.request(method, path, body=iter(body), headers=sent, encode_chunked=True)
        else:
            conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


def api_publish(port: int, slug: str, key: str, body: str, **fields: Any) -> Reply:
    """Publish an entry through a server's API, as a newsroom tool does."""
    return http_request(
        port,
        "POST",
        f"/api/blogs/{slug}/entries/",
        body=json.dumps({"body": body, **fields}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )


def wait_until(condition: Any, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``condition()`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
