"""Fill in ``deploy/nginx.conf``; and run it as an unprivileged nginx in a scratch folder.

For a server (prints the site file)::

    python -m deploy.nginx --server-name live.example.org --listen 80 \\
        --upstream 127.0.0.1:8001 --upstream 127.0.0.1:8002 \\
        --static-root /srv/liveblog/staticfiles --media-root /srv/liveblog/var/media \\
        > /etc/nginx/sites-available/liveblog

The template's placeholders are ``${LIVEBLOG_*}`` names, as envsubst reads them, and only
those names are filled: nginx's own ``$variables`` stay as they are. ``ScratchNginx`` is what
the tests and ``python -m bench --only pollers`` start: the site file inside a minimal main
configuration, every file under one temporary folder, nginx running as an unprivileged
user (``nobody`` when started as root), so it needs no root, no port below 1024 and nothing
under /etc or /var.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
PLACEHOLDER = re.compile(r"\$\{(LIVEBLOG_[A-Z_]+)\}")
#: Debian's nginx keeps the file types here; the site file relies on them for static files.
MIME_TYPES = Path("/etc/nginx/mime.types")
#: Who runs a scratch nginx started by root.
UNPRIVILEGED_USER = "nobody"


@dataclasses.dataclass(frozen=True)
class Site:
    """What the template leaves open: where to listen, the processes, the paths."""

    listen: str
    server_name: str
    upstreams: Sequence[str]
    static_root: Path
    media_root: Path
    cache_dir: Path
    access_log: Path

    def values(self) -> dict[str, str]:
        return {
            "LIVEBLOG_LISTEN": self.listen,
            "LIVEBLOG_SERVER_NAME": self.server_name,
            "LIVEBLOG_UPSTREAMS": " ".join(f"server {address};" for address in self.upstreams),
            "LIVEBLOG_STATIC_ROOT": str(self.static_root).rstrip("/"),
            "LIVEBLOG_MEDIA_ROOT": str(self.media_root).rstrip("/"),
            "LIVEBLOG_CACHE_DIR": str(self.cache_dir),
            "LIVEBLOG_ACCESS_LOG": str(self.access_log),
        }


def render(site: Site, template: str | None = None) -> str:
    """The site file for ``site``; every placeholder must have a value."""
    text = TEMPLATE.read_text() if template is None else template
    values = site.values()
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if unknown:
        raise ValueError(f"deploy/nginx.conf names {', '.join(unknown)}, which has no value")
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


def binary() -> str | None:
    """Debian's nginx, on the PATH or where the package puts it; None when not installed."""
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


class NginxError(RuntimeError):
    """The scratch nginx did not start or stop; the message holds its error log."""


class LocalServer:
    """A server of our own on 127.0.0.1:``port``: its base URLs, for HTTP and WebSockets."""

    port: int

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


class ScratchNginx(LocalServer):
    """The shipped site file in front of ``upstreams``, on a port of its own, in ``folder``.

    ``folder`` (created, and handed to the unprivileged user when started as root) holds
    the configuration, the cache, the logs, and ``static/`` and ``media/`` for the files
    nginx serves itself.
    """

    def __init__(
        self, folder: Path, upstreams: Sequence[str], *, port: int, workers: int = 1
    ) -> None:
        self.folder = folder
        self.port = port
        self.workers = workers
        self.site = Site(
            listen=f"127.0.0.1:{port}",
            server_name="127.0.0.1 localhost",
            upstreams=upstreams,
            static_root=folder / "static",
            media_root=folder / "media",
            cache_dir=folder / "cache",
            access_log=folder / "access.log",
        )
        self.error_log = folder / "error.log"
        self.process: subprocess.Popen[bytes] | None = None

    def write_config(self) -> Path:
        for name in ("static", "media", "cache", "temp"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        (self.folder / "liveblog.conf").write_text(render(self.site))
        temp = self.folder / "temp"
        main = self.folder / "nginx.conf"
        main.write_text(
            f"""\
daemon off;
pid {self.folder / "nginx.pid"};
error_log {self.error_log} warn;
worker_processes {self.workers};
events {{ worker_connections 8192; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {self.folder / "liveblog.conf"};
}}
"""
        )
        return main

    def start(self, timeout: float = 10) -> None:
        program = binary()
        if program is None:
            raise NginxError("nginx is not installed (apt-get install nginx)")
        main = self.write_config()
        user = None
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            for path in [self.folder, *self.folder.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid)
        self.process = subprocess.Popen(
            [program, "-p", str(self.folder), "-e", str(self.error_log), "-c", str(main)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NginxError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            time.sleep(0.05)
        self.stop()
        raise NginxError(
            f"nginx did not listen on {self.port} within {timeout} s:\n{self.errors()}"
        )

    def stop(self) -> None:
        """Stop nginx and its workers (a fast shutdown: SIGTERM to the master)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def errors(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""

    def access_log(self) -> list[str]:
        path = self.site.access_log
        return path.read_text(errors="replace").splitlines() if path.exists() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.nginx", description="Print deploy/nginx.conf filled in."
    )
    parser.add_argument("--listen", default="80", help="address and/or port (default 80)")
    parser.add_argument("--server-name", required=True, help="the site's host name(s)")
    parser.add_argument(
        "--upstream",
        action="append",
        required=True,
        help="HOST:PORT of a uvicorn process; once per process",
    )
    parser.add_argument("--static-root", type=Path, required=True, help="STATIC_ROOT")
    parser.add_argument("--media-root", type=Path, required=True, help="LIVEBLOG_MEDIA_ROOT")
    parser.add_argument("--cache-dir", type=Path, default=Path("/var/cache/nginx/liveblog"))
    parser.add_argument(
        "--access-log", type=Path, default=Path("/var/log/nginx/liveblog.access.log")
    )
    args = parser.parse_args(argv)
    site = Site(
        listen=args.listen,
        server_name=args.server_name,
        upstreams=args.upstream,
        static_root=args.static_root,
        media_root=args.media_root,
        cache_dir=args.cache_dir,
        access_log=args.access_log,
    )
    sys.stdout.write(render(site))
    return 0


if __name__ == "__main__":
    sys.exit(main())
