"""Real ASGI server processes for tests that cross a process boundary."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pytest
from django.db import connection

from deploy import nginx
from deploy.nginx import LocalServer, ScratchNginx
from liveblog.wsprotocol import UVICORN_WS

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """A URL for the database this test session is using (the test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def server_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-server-processes-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


#: The README's --ws-max-size: larger frames close the socket with 1009.
WS_MAX_SIZE = 65536
#: How the README runs uvicorn; tests exercise the same protocol, limits and pings.
UVICORN_FLAGS = [
    "--ws", UVICORN_WS, "--ws-ping-interval", "20", "--ws-ping-timeout", "20",
    "--ws-max-size", str(WS_MAX_SIZE), "--ws-per-message-deflate", "false",
    "--no-proxy-headers", "--log-level", "warning",
]  # fmt: skip


#: Added to UVICORN_FLAGS: uvicorn's access log, one line per request the server answered.
ACCESS_LOG = ["--log-level", "info", "--access-log"]


class Server(LocalServer):
    """One uvicorn process serving config.asgi on a port of its own.

    With ``log``, its output goes to that file (and into the error if it fails to start).
    ``flags`` come after the README's (``ACCESS_LOG`` lists every request in that file).
    """

    def __init__(
        self,
        port: int,
        env: Mapping[str, str],
        log: Path | None = None,
        flags: Sequence[str] = (),
    ) -> None:
        self.port = port
        self.env = dict(env)
        self.log_path = log
        self.flags = list(flags)
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def start(self, timeout: float = 20) -> None:
        self._log = self.log_path.open("ab") if self.log_path else None
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "config.asgi:application",
                "--host", "127.0.0.1", "--port", str(self.port), *UVICORN_FLAGS, *self.flags,
            ],
            cwd=PROJECT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log else None,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server on port {self.port} exited with {self.process.returncode}:\n"
                    + self.log()
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server on port {self.port} did not start within {timeout} s")

    def stop(self, *, kill: bool = False) -> None:
        try:
            if self.process is None or self.process.poll() is not None:
                return
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None


@contextlib.contextmanager
def servers(count: int, **env: str) -> Iterator[list[Server]]:
    started = [Server(free_port(), server_env(**env)) for _ in range(count)]
    try:
        for server in started:
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()


# --- nginx in front -----------------------------------------------------------------------


def nginx_or_skip() -> None:
    """Skip a test that needs nginx when it is not installed, unless CI requires it."""
    if nginx.binary() is None:
        message = "nginx is not installed (apt-get install nginx); .ci/run installs it"
        if os.environ.get("LIVEBLOG_REQUIRE_NGINX"):
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def nginx_in_front(
    upstreams: Sequence[Server],
    *,
    prepare: Callable[[ScratchNginx], None] | None = None,
    workers: int = 1,
) -> Iterator[ScratchNginx]:
    """The shipped deploy/nginx.conf in front of ``upstreams``, run unprivileged.

    Its folder is a temporary one of its own (pytest's is closed to other users);
    ``prepare`` fills it (static/, media/) before nginx starts.
    """
    nginx_or_skip()
    folder = Path(tempfile.mkdtemp(prefix="liveblog-nginx-"))
    proxy = ScratchNginx(
        folder,
        [f"127.0.0.1:{server.port}" for server in upstreams],
        port=free_port(),
        workers=workers,
    )
    try:
        proxy.write_config()
        if prepare is not None:
            prepare(proxy)
        proxy.start()
        yield proxy
    except BaseException:
        print(f"--- nginx's error log\n{proxy.errors()[-5000:]}")
        raise
    finally:
        proxy.stop()
        shutil.rmtree(folder, ignore_errors=True)
