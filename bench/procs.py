"""Child processes of a benchmark run: servers, readers, publishers and manage.py commands.

Every wait is bounded; every process started here is stopped by ``stop`` (terminate, then
kill), which the orchestrator calls from ``finally`` blocks.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.limits import raise_fd_limit
from liveblog.wsprotocol import UVICORN_WS

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and shows the evidence."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


#: Where the run's processes keep their compiled bytecode (``PYTHONPYCACHEPREFIX``).
BYTECODE_CACHE = Path(tempfile.gettempdir()) / "liveblog-bench-pycache"


def django_env(database_url: str, redis_url: str | None = None) -> dict[str, str]:
    """The environment of every Django process of a run (servers, publisher, commands)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "TIME_ZONE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-" + secrets.token_urlsafe(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        LIVEBLOG_LOG_LEVEL="WARNING",
        # 200 sequential reads from one address would trip the API's anonymous throttle.
        LIVEBLOG_API_THROTTLE_ANON="1000000/min",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        # Timed commands start as a deployed install does, with bytecode already compiled
        # (kept out of the source tree); see BENCHMARKS.md, import.
        PYTHONPYCACHEPREFIX=str(BYTECODE_CACHE),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _preexec() -> None:
    raise_fd_limit()


def manage(args: list[str], env: dict[str, str], *, timeout: float) -> str:
    """Run ``manage.py ARGS``; return its stdout, or fail with its output."""
    try:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {' '.join(args)} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr)[-2000:]}"
        )
    return done.stdout


def http_get(url: str, *, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def timed_get(conn: HTTPConnection, path: str) -> tuple[int, bytes, float]:
    """GET ``path`` on a keep-alive connection: the status, the body and the seconds it took."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return response.status, body, time.perf_counter() - started


def http_json(url: str, *, timeout: float = 10) -> dict[str, Any]:
    status, body = http_get(url, timeout=timeout)
    if status >= 400:
        raise BenchError(f"GET {url} answered {status}: {body[:300]!r}")
    return json.loads(body)


class Process:
    """A child process with its output in a log file, stopped for sure by ``stop``."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None,
        log: Path,
        pipes: bool = False,
    ) -> None:
        self.name = name
        self.log = log
        self._log_file = log.open("w")
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
            stdout=subprocess.PIPE if pipes else self._log_file,
            stderr=self._log_file,
            text=True,
            preexec_fn=_preexec,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def rss_kb(self) -> int:
        """Resident memory (VmRSS) of the process, in KB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise BenchError(f"{self.name}: no VmRSS for pid {self.pid}")

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(
                f"{self.name} did not finish in {timeout:.0f} s; its log ends:\n{_tail(self.log)}"
            ) from None

    def failure(self, what: str) -> BenchError:
        return BenchError(f"{self.name} {what}; its log ({self.log}) ends:\n{_tail(self.log)}")

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        for stream in (self.popen.stdin, self.popen.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()
        self._log_file.close()


class Server(Process):
    """A server answering ``/bench/health`` on 127.0.0.1:``port``."""

    def __init__(
        self, name: str, argv: list[str], *, port: int, env: dict[str, str] | None, log: Path
    ) -> None:
        super().__init__(name, argv, env=env, log=log)
        self.port = port

    @classmethod
    def liveblog(
        cls,
        name: str,
        *,
        env: dict[str, str],
        log: Path,
        ws: str = UVICORN_WS,
        compression: bool = False,
        access_log: bool = False,
    ) -> Server:
        """uvicorn serving the project (wrapped by bench.asgi_with_publisher), as deployed.

        With ``access_log``, its log lists every request it answered.
        """
        port = free_port()
        argv = [
            PYTHON,
            "-m",
            "uvicorn",
            "bench.asgi_with_publisher:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--ws",
            ws,
            "--ws-ping-interval",
            "20",
            "--ws-per-message-deflate",
            "true" if compression else "false",
            # The client's address is the app's to decide (liveblog.clients), as deployed.
            "--no-proxy-headers",
            # As deployed (the Server header would only be sent, no longer kept per socket).
            "--no-server-header",
            "--log-level",
            "info" if access_log else "warning",
            *(["--access-log"] if access_log else []),
        ]
        return cls(name, argv, port=port, env=env, log=log)

    @classmethod
    def raw(cls, name: str, *, log: Path, compression: bool = False) -> Server:
        port = free_port()
        argv = [PYTHON, "-m", "bench.rawserver", "--port", str(port)]
        if compression:
            argv.append("--compression")
        return cls(name, argv, port=port, env=None, log=log)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def origin(self) -> str:
        return self.base

    def ws_url(self, slug: str) -> str:
        return f"ws://{HOST}:{self.port}/ws/blogs/{slug}/"

    def wait_ready(self, timeout: float = 60) -> dict[str, Any]:
        """Wait until the server answers; return what its ``/bench/health`` says about it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise self.failure(f"exited with {self.popen.returncode} while starting")
            try:
                status, body = http_get(self.base + "/bench/health", timeout=2)
                if status == 200:
                    return json.loads(body)
            except OSError:
                pass
            time.sleep(0.2)
        raise self.failure(f"did not answer on port {self.port} within {timeout:.0f} s")

    def publish(self, *, slug: str, count: int, rate: float, size: int) -> None:
        url = f"{self.base}/bench/publish?slug={slug}&count={count}&rate={rate}&size={size}"
        status, body = http_get(url)
        if status != 202:
            raise self.failure(f"refused to publish ({status}: {body[:200]!r})")

    def wait_published(self, timeout: float, *, expected: float = 0.0) -> dict[str, Any]:
        """Wait for the publishing run to end; polls only after ``expected`` seconds."""
        deadline = time.monotonic() + timeout
        # Polling is an HTTP request to the server being measured: keep it out of the run.
        time.sleep(min(expected, timeout))
        while time.monotonic() < deadline:
            run = http_json(self.base + "/bench/status")
            if run.get("done"):
                return run
            if not self.alive():
                raise self.failure("exited while publishing")
            time.sleep(0.25)
        raise self.failure(f"had not finished publishing after {timeout:.0f} s")


class Readers(Process):
    """The reader process (``bench.client``), one JSON command and answer at a time."""

    def __init__(self, name: str, *, log: Path) -> None:
        super().__init__(name, [PYTHON, "-m", "bench.client"], env=None, log=log, pipes=True)
        self._answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def ask(self, wait: float, **command: Any) -> dict[str, Any]:
        """Send one command; wait at most ``wait`` seconds for its answer."""
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps(command) + "\n")
        self.popen.stdin.flush()
        try:
            line = self._answers.get(timeout=wait)
        except queue.Empty:
            raise self.failure(f"gave no answer to {command['op']} in {wait:.0f} s") from None
        if line is None:
            raise self.failure(f"exited during {command['op']}")
        answer = json.loads(line)
        if "error" in answer:
            raise self.failure(f"failed {command['op']}: {answer['error']}")
        return answer

    def stop(self) -> None:
        if self.alive():
            try:
                self.ask(40, op="close")
                assert self.popen.stdin is not None
                self.popen.stdin.close()  # end of input: the process exits
                self.popen.wait(5)
            except (BenchError, OSError, ValueError, subprocess.TimeoutExpired):
                pass
        super().stop()


# --- PostgreSQL and Redis ---------------------------------------------------------------


def redis_reachable(url: str) -> str | None:
    """None when Redis answers PING at ``url``; else why not."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or HOST, parts.port or 6379), 2) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        return f"no Redis at {url} ({exc})"
    return None if reply.startswith(b"+PONG") else f"Redis at {url} answered {reply!r}"


def postgres_admin(url: str):  # -> psycopg.Connection
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def postgres_create(admin_url: str, name: str) -> str:
    """Create database ``name`` next to ``admin_url``'s; return its DATABASE_URL."""
    with postgres_admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(admin_url)._replace(path="/" + name).geturl()


def postgres_drop(admin_url: str, name: str) -> None:
    with postgres_admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_postgres_on_redis(
    stack: contextlib.ExitStack, postgres_url: str, name: str, redis_url: str
) -> dict[str, str]:
    """A server environment on a new PostgreSQL database ``name`` (dropped with ``stack``)
    and Redis; a BenchError saying "skipped" when either is not there."""
    problem = redis_reachable(redis_url)
    if problem:
        raise BenchError(f"skipped: {problem}")
    return fresh_postgres(stack, postgres_url, name, redis_url)


def fresh_postgres(
    stack: contextlib.ExitStack, postgres_url: str, name: str, redis_url: str | None = None
) -> dict[str, str]:
    """A server environment on a new PostgreSQL database ``name`` (dropped with ``stack``);
    a BenchError saying "skipped" when there is no PostgreSQL."""
    try:
        database_url = postgres_create(postgres_url, name)
    except Exception as exc:
        raise BenchError(f"skipped: no PostgreSQL at {postgres_url} ({exc})") from None
    stack.callback(postgres_drop, postgres_url, name)
    return django_env(database_url, redis_url)


class PostgresConnections:
    """Count, in a thread, the connections of each ``application_name``; keep each one's peak."""

    def __init__(self, admin_url: str, names: list[str], interval: float = 0.05) -> None:
        self.admin_url = admin_url
        self.peaks = dict.fromkeys(names, 0)
        self.samples = 0
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _watch(self) -> None:
        with postgres_admin(self.admin_url) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT application_name, count(*) FROM pg_stat_activity "
                    "WHERE application_name = ANY(%s) GROUP BY application_name",
                    [list(self.peaks)],
                ).fetchall()
                for name, count in rows:
                    self.peaks[name] = max(self.peaks[name], count)
                self.samples += 1
                self._stop.wait(self.interval)
