"""A real server (uvicorn), a real browser (Debian's Chromium driven by Playwright).

The server runs in a subprocess on its own SQLite file, never the test database; data is
written through ``manage.py shell`` (another process, like an import) or through the
server's control endpoint (inside it, like the admin), see ``e2e_app``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liveblog.wsprotocol import UVICORN_WS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0

try:
    from playwright.sync_api import Browser, Page, sync_playwright

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_PLAYWRIGHT = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not HAVE_PLAYWRIGHT:
        reason = "Playwright is not installed (.venv/bin/pip install playwright)"
    elif not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if reason is None:
        return
    if os.environ.get("LIVEBLOG_REQUIRE_BROWSER"):
        # CI sets this: there a missing browser is a broken machine, not a reason to skip.
        raise pytest.UsageError(f"Browser tests are required here but {reason}.")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """uvicorn serving the project on a fixed port, which survives a restart."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.browser.e2e_app:application",
            "--host=127.0.0.1",
            f"--port={self.port}",
            f"--ws={UVICORN_WS}",
            "--lifespan=off",
            "--timeout-graceful-shutdown=2",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited; see {self.log}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"uvicorn did not answer within {START_TIMEOUT}s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM, as a deploy or a crash-restarting supervisor would."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def command(self, name: str, **arguments: Any) -> dict[str, Any]:
        """Run a command inside the server process (see e2e_app)."""
        request = urllib.request.Request(
            f"{self.url}/__e2e__/{name}",
            data=json.dumps(arguments).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def shell(self, code: str) -> str:
        """Run Python with Django set up, in a process of its own; returns what it printed."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-v0", "-c", code],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py shell failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The suite may run against PostgreSQL and Redis; this server has a world of its own.
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="true",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SERVE_STATIC="true",
        PYTHONUNBUFFERED="1",
    )
    server = Server(env, tmp_path / "uvicorn.log")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=120,
    )
    try:
        yield server
    finally:
        server.stop()
        # Shown by pytest only when the test fails (a test that skipped never started it).
        if server.log.exists():
            print(f"--- {server.log}\n{server.log.read_text()}")


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 960, "height": 1200}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
