"""deploy/nginx.conf as shipped, in front of two uvicorn processes on PostgreSQL and Redis.

``deploy.nginx`` fills in the template and runs it unprivileged in a folder of its own; the
servers log every request they answer (uvicorn's access log), so a test counts what got
past the cache, and nginx's access log says how each request was answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import re
import resource
import shlex
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets
from channels.db import database_sync_to_async
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from websockets.typing import Origin

from deploy import nginx
from liveblog import commands
from liveblog.media import file_url
from liveblog.models import Blog
from tests import samples
from tests.reliability.support import (
    TunedServer,
    api_publish,
    http_request,
    tuned_servers,
    wait_until,
)
from tests.servers import ACCESS_LOG, PROJECT, nginx_in_front, nginx_or_skip

#: How the README starts the processes behind nginx on the same machine.
BEHIND_NGINX = {
    "LIVEBLOG_TRUSTED_PROXIES": "127.0.0.1",
    "DJANGO_SERVE_STATIC": "false",
    # A thousand pollers on one machine share one address; the throttle is not under test.
    "LIVEBLOG_API_THROTTLE_ANON": "1000000/min",
    # nginx sends media files once the app has said they may be shown.
    "LIVEBLOG_MEDIA_ACCEL_REDIRECT": "/_liveblog_media/",
}
#: An image as the app stores it: named by the SHA-256 of its bytes (README, media).
IMAGE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
IMAGE_NAME = f"{hashlib.sha256(IMAGE).hexdigest()[:2]}/{hashlib.sha256(IMAGE).hexdigest()}.png"
CACHE_STATUS = re.compile(r'"GET (\S+) HTTP/[\d.]+" \d+ \d+ cache=(\S+)')


# --- The template ----------------------------------------------------------------------------


def _site(folder: Path) -> nginx.Site:
    return nginx.Site(
        listen="127.0.0.1:8080",
        server_name="live.example.org",
        upstreams=["127.0.0.1:8001", "127.0.0.1:8002"],
        static_root=folder / "static",
        media_root=folder / "media",
        cache_dir=folder / "cache",
        access_log=folder / "access.log",
    )


def test_every_placeholder_is_filled_and_nothing_else(tmp_path: Path) -> None:
    text = nginx.render(_site(tmp_path))
    assert "${" not in text
    assert "server 127.0.0.1:8001; server 127.0.0.1:8002;" in text
    # nginx's own variables are left for nginx.
    assert "$proxy_add_x_forwarded_for" in text and "$upstream_cache_status" in text
    with pytest.raises(ValueError, match="LIVEBLOG_TYPO"):
        nginx.render(_site(tmp_path), template="listen ${LIVEBLOG_TYPO};")


def test_nginx_accepts_the_site_file(tmp_path: Path) -> None:
    nginx_or_skip()
    proxy = nginx.ScratchNginx(tmp_path, ["127.0.0.1:8001"], port=8080)
    main = proxy.write_config()
    checked = subprocess.run(
        [
            str(nginx.binary()),
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(proxy.error_log),
            "-c",
            str(main),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_readmes_command_renders_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (PROJECT / "README.md").read_text()
    joined = re.sub(r"\\\n\s*", " ", readme)
    (command,) = [line for line in joined.splitlines() if "-m deploy.nginx " in line]
    argv = shlex.split(command.split("-m deploy.nginx", 1)[1].split(">")[0])
    assert nginx.main(argv) == 0
    rendered = capsys.readouterr().out
    assert rendered.startswith("# nginx in front of liveblog") and "${" not in rendered


# --- Through nginx ---------------------------------------------------------------------------


def _static_and_media(proxy: nginx.ScratchNginx) -> None:
    """What collectstatic puts in STATIC_ROOT, and one uploaded image."""
    with override_settings(STATIC_ROOT=proxy.site.static_root):
        call_command("collectstatic", interactive=False, verbosity=0)
    image = proxy.site.media_root / IMAGE_NAME
    image.parent.mkdir(parents=True)
    image.write_bytes(IMAGE)


def _the_deployed_stack(test: Any) -> Any:
    """Mark a test that runs the whole stack as deployed: PostgreSQL and Redis, and committed
    data, which the server processes read."""
    for mark in (pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)):
        test = mark(test)
    return test


@contextlib.contextmanager
def _site_behind_nginx(logs: Path) -> Iterator[tuple[list[TunedServer], nginx.ScratchNginx]]:
    with (
        tuned_servers(2, logs, flags=ACCESS_LOG, **BEHIND_NGINX) as servers,
        nginx_in_front(servers, prepare=_static_and_media) as proxy,
    ):
        yield servers, proxy


def _shown_and_withdrawn(blog: Blog, media_root: Path) -> tuple[str, str]:
    """Two uploads in nginx's media root: one a live entry shows, one a retracted entry did."""
    names = []
    for width in (400, 300):
        media = commands.media_upload(
            blog=blog,
            data=samples.photo(width, 200, orientation=1),
            filename="photo.jpg",
            alt="Harbour",
            actor="editor",
            max_bytes=10**7,
            max_pixels=10**8,
        )
        target = media_root / media.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(default_storage.open(media.name).read())
        entry = commands.entry_publish(
            blog=blog, body=f"![Harbour]({file_url(media.name)})", actor="editor"
        )
        names.append(media.name)
    commands.entry_retract(entry=entry, reason="Wrong harbour", actor="editor")
    return names[0], names[1]


def _answered(proxy: nginx.ScratchNginx, path: str, count: int) -> list[str]:
    """How nginx answered the ``count`` GETs of ``path``, in order: MISS, HIT, BYPASS...

    nginx logs a request once it has answered it: the line may come just after the reply.
    """

    def statuses() -> list[str]:
        found = (CACHE_STATUS.search(line) for line in proxy.access_log())
        return [match.group(2) for match in found if match and match.group(1) == path]

    wait_until(lambda: len(statuses()) >= count, 5)
    return statuses()


def _origin_requests(servers: Sequence[TunedServer], path: str) -> list[str]:
    """The access-log lines of the requests for ``path`` (query included) that servers got."""
    return [
        line
        for server in servers
        for line in server.log().splitlines()
        if f'"GET {path} HTTP' in line or f'"WebSocket {path}"' in line
    ]


async def _next_message(socket: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(socket.recv(), 10)))


@_the_deployed_stack
async def test_readers_editors_and_the_push_channel_work_through_nginx(
    blog: Blog, token_key: str, logs: Path
) -> None:
    page = f"/blogs/{blog.slug}/"
    with _site_behind_nginx(logs) as (servers, proxy):
        reads = [
            await asyncio.to_thread(http_request, proxy.port, "GET", page, source="127.0.0.3")
            for _ in range(2)
        ]
        assert [reply.status for reply in reads] == [200, 200]
        assert blog.title in reads[1].body.decode()
        assert _answered(proxy, page, 2) == ["MISS", "HIT"]
        # The reader's address reached the app, through the one proxy it trusts.
        (origin_line,) = _origin_requests(servers, page)
        assert " 127.0.0.3:" in origin_line

        # Static files and images come from nginx (images once the app allows them).
        script = await asyncio.to_thread(
            http_request, proxy.port, "GET", "/static/liveblog/live.js"
        )
        assert script.status == 200
        assert script.body == (PROJECT / "liveblog/static/liveblog/live.js").read_bytes()
        assert script.headers["x-content-type-options"] == "nosniff"
        direct = await asyncio.to_thread(
            http_request, servers[0].port, "GET", "/static/liveblog/live.js"
        )
        assert direct.status == 404
        image = await asyncio.to_thread(http_request, proxy.port, "GET", f"/media/{IMAGE_NAME}")
        assert image.status == 200 and image.body == IMAGE
        assert image.headers["content-type"] == "image/png"
        assert image.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert image.headers["x-content-type-options"] == "nosniff"
        for missing in ("/media/ab/short.png", "/media/../nginx.conf", f"/media/{IMAGE_NAME}x"):
            reply = await asyncio.to_thread(http_request, proxy.port, "GET", missing)
            assert reply.status in (400, 404), missing
        hidden = await asyncio.to_thread(http_request, proxy.port, "GET", "/_liveblog_media/x")
        assert hidden.status == 404  # nginx's internal location: only the app sends there
        # A retracted entry's image is gone at once; a live entry's is sent by nginx.
        shown, withdrawn = await database_sync_to_async(_shown_and_withdrawn)(
            blog, proxy.site.media_root
        )
        live = await asyncio.to_thread(http_request, proxy.port, "GET", f"/media/{shown}")
        assert live.status == 200 and live.headers["content-type"] == "image/jpeg"
        assert live.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert live.body == (proxy.site.media_root / shown).read_bytes()
        gone = await asyncio.to_thread(http_request, proxy.port, "GET", f"/media/{withdrawn}")
        assert gone.status == 410 and b"withdrawn" in gone.body

        # The push channel: each reader is upgraded through nginx, to one process or the other.
        path = f"/ws/blogs/{blog.slug}/"
        async with (
            websockets.connect(f"{proxy.ws}{path}", origin=Origin(proxy.http)) as first,
            websockets.connect(f"{proxy.ws}{path}", origin=Origin(proxy.http)) as second,
        ):
            published = await asyncio.to_thread(
                api_publish, proxy.port, blog.slug, token_key, "Turnout is 61%."
            )
            assert published.status == 201, published.body
            messages = [await _next_message(first), await _next_message(second)]
        assert [m["entry"]["body"] for m in messages] == ["Turnout is 61%."] * 2
        accepted = [line for line in _origin_requests(servers, path) if "[accepted]" in line]
        assert len(accepted) == 2
        assert {server.port for server in servers if path in server.log()} == {
            server.port for server in servers
        }, "least_conn sends the second reader to the other process"

        # The API: a reader's copy may be shared; an editor's never is.
        events = f"/api/blogs/{blog.slug}/events/"
        anonymous = await asyncio.to_thread(http_request, proxy.port, "GET", events)
        assert anonymous.json()["results"][-1]["entry"]["body"] == "Turnout is 61%."
        assert anonymous.headers["cache-control"].startswith("public, max-age=")
        editor = await asyncio.to_thread(
            http_request,
            proxy.port,
            "GET",
            events,
            headers={"Authorization": f"Bearer {token_key}"},
        )
        assert editor.status == 200 and editor.headers["cache-control"] == "private, no-cache"
        assert _answered(proxy, events, 2) == ["MISS", "BYPASS"]


# --- A thousand pollers ----------------------------------------------------------------------

POLLERS = 1_000
POLL_SECONDS = 2.0
UPDATES = 8
UPDATE_SECONDS = 1.0
#: The page size pollers ask for (all the same, so they share pages); they start on the page
#: before a boundary and cross it.
PAGE = 20


def _raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


async def _poll(
    session: aiohttp.ClientSession, url: str, seen: set[int], until: int, deadline: float
) -> None:
    """A reader without WebSockets: poll the page the next events go to, follow `next`."""
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))  # readers arrive at any moment
    while max(seen, default=0) < until and time.monotonic() < deadline:
        async with session.get(url) as response:
            assert response.status == 200, await response.text()
            page = await response.json()
        seen.update(event["seq"] for event in page["results"])
        if page["next"]:
            url = page["next"]  # the page is closed: the next events are on the next one
            continue
        await asyncio.sleep(POLL_SECONDS * random.uniform(0.9, 1.1))


async def _publish_steadily(port: int, slug: str, key: str) -> None:
    for n in range(UPDATES):
        started = time.monotonic()
        reply = await asyncio.to_thread(api_publish, port, slug, key, f"Update {n}.")
        assert reply.status == 201, reply.body
        await asyncio.sleep(max(0.0, UPDATE_SECONDS - (time.monotonic() - started)))


@_the_deployed_stack
async def test_a_thousand_pollers_cost_the_app_a_handful_of_requests_per_update(
    blog: Blog, token_key: str, logs: Path
) -> None:
    _raise_open_files(4 * POLLERS)
    # Close to a page boundary, so that the updates close a page and open the next.
    start = 5 * PAGE - UPDATES // 2
    await database_sync_to_async(commands.entries_publish)(
        blog=blog,
        actor="editor",
        publications=[
            commands.Publication(body=f"Earlier {n}") for n in range(start - blog.last_seq)
        ],
    )
    with _site_behind_nginx(logs) as (servers, proxy):
        first_page = (
            f"{proxy.http}/api/blogs/{blog.slug}/events/?after={start // PAGE * PAGE}&limit={PAGE}"
        )
        connector = aiohttp.TCPConnector(limit=0)
        seen: list[set[int]] = [set() for _ in range(POLLERS)]
        async with aiohttp.ClientSession(connector=connector) as session:
            deadline = time.monotonic() + 60
            pollers = [
                asyncio.create_task(_poll(session, first_page, seen[n], start + UPDATES, deadline))
                for n in range(POLLERS)
            ]
            await asyncio.sleep(POLL_SECONDS)  # every poller is in
            await _publish_steadily(proxy.port, blog.slug, token_key)
            await asyncio.gather(*pollers)
        path = f"/api/blogs/{blog.slug}/events/"
        origin = _origin_requests_under(servers, path)
        answered = Counter(_answered_under(proxy, path))

    published = set(range(start + 1, start + UPDATES + 1))
    # Nothing missed: every poller saw every update, crossing the page boundary.
    assert all(published <= seqs for seqs in seen)
    # A handful of origin requests per update, whatever the number of pollers.
    assert len(origin) / UPDATES <= 5, origin
    served = sum(answered.values())
    from_cache = answered["HIT"] + answered["STALE"] + answered["UPDATING"]
    assert served >= POLLERS * 3
    assert from_cache / served >= 0.99, answered


def _origin_requests_under(servers: Sequence[TunedServer], prefix: str) -> list[str]:
    return [
        line for server in servers for line in server.log().splitlines() if f'"GET {prefix}' in line
    ]


def _answered_under(proxy: nginx.ScratchNginx, prefix: str) -> list[str]:
    found = (CACHE_STATUS.search(line) for line in proxy.access_log())
    return [match.group(2) for match in found if match and match.group(1).startswith(prefix)]
