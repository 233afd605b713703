"""Security: who may write, who may see, how much one address may take, and the deploy.

Session writes need CSRF; only a blog's members write to it; anonymous users see neither
drafts nor the admin; WebSocket connections and writes are limited per address and per user;
``manage.py check --deploy`` passes with the production settings the README documents; and
no secret is in the repository.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client, override_settings
from rest_framework.test import APIClient
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from config.asgi import application, router
from liveblog import commands, consumers, limits
from liveblog.api import tokens
from liveblog.models import Blog, Entry
from tests.conftest import editors_group
from tests.reliability.client import Reader, stop_all
from tests.reliability.support import api_publish, http_request, tuned_servers
from tests.servers import PROJECT, UVICORN_FLAGS, nginx_in_front

# --- Writes: CSRF and membership -------------------------------------------------------------


@pytest.fixture
def outsider(django_user_model: Any) -> Any:
    """A staff editor of other blogs: signed in, in the Editors group, not a member here."""
    user = django_user_model.objects.create_user(
        username="outsider", password="another horse battery", is_staff=True
    )
    user.groups.add(editors_group())
    return user


def _csrf_token(client: Client, page: str) -> str:
    """The token a page with a form hands the browser (in its CSRF cookie)."""
    assert client.get(page).status_code == 200
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(blog: Blog, editor: Any) -> None:
    editor.groups.add(editors_group())
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    api = f"/api/blogs/{blog.slug}/entries/"
    desk = f"/admin/liveblog/blog/{blog.pk}/desk/"
    entry = {"body": "Forged.", "entry_id": "6a2f0b2e-8f5d-4a55-9d64-2f1c1b5d7a11"}

    forged_api = browser.post(api, {"body": "Forged."}, content_type="application/json")
    forged_desk = browser.post(desk, entry)
    assert forged_api.status_code == 403
    assert "CSRF" in forged_api.json()["message"]
    assert forged_desk.status_code == 403
    assert Entry.objects.count() == 0

    token = _csrf_token(browser, desk)
    sent = browser.post(
        api, {"body": "Genuine."}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert sent.status_code == 201
    from_desk = {**entry, "body": "From the desk.", "csrfmiddlewaretoken": token}
    assert browser.post(desk, from_desk).status_code == 302
    assert Entry.objects.count() == 2


@pytest.mark.django_db
def test_only_members_write_to_a_blog(blog: Blog, token_key: str, outsider: Any) -> None:
    url = f"/api/blogs/{blog.slug}/entries/"
    anonymous = APIClient().post(url, {"body": "x"}, format="json")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")

    _, outsider_key = tokens.token_create(user=outsider, name="their bot")
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {outsider_key}")
    assert stranger.post(url, {"body": "x"}, format="json").status_code == 403

    revoked, revoked_key = tokens.token_create(user=blog.members.get(), name="old bot")
    tokens.token_revoke(token=revoked)
    former = APIClient()
    former.credentials(HTTP_AUTHORIZATION=f"Bearer {revoked_key}")
    assert former.post(url, {"body": "x"}, format="json").status_code == 401

    # The desk of someone else's blog is closed to an editor who is not a member.
    desk = Client()
    desk.force_login(outsider)
    refused = desk.post(
        f"/admin/liveblog/blog/{blog.pk}/desk/",
        {"body": "x", "entry_id": "0b0c4f57-5b0e-4a8e-9d7c-3e6a4e0f9b21"},
    )
    assert refused.status_code in {403, 404}
    assert Entry.objects.count() == 0

    member = APIClient()
    member.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
    assert member.post(url, {"body": "x"}, format="json").status_code == 201


# --- Reads: drafts and the admin ---------------------------------------------------------------


@pytest.fixture
def draft(editor: Any) -> tuple[Blog, Entry]:
    blog = commands.blog_create(slug="budget-leak", title="Budget leak (embargoed)", actor="ed")
    blog.members.add(editor)
    entry = commands.entry_publish(blog=blog, body="Embargoed until 9am.", actor="ed")
    return blog, entry


@pytest.mark.django_db(transaction=True)
async def test_anonymous_readers_never_see_a_draft(draft: tuple[Blog, Entry], blog: Blog) -> None:
    hidden, entry = draft

    def pages() -> dict[str, int]:
        client = Client()
        api = APIClient()
        statuses = {
            path: client.get(path).status_code
            for path in (
                f"/blogs/{hidden.slug}/",
                f"/blogs/{hidden.slug}/updates/",
                f"/blogs/{hidden.slug}/feed/",
                f"/blogs/{hidden.slug}/entries/{entry.pk}/",
            )
        }
        for path in (
            f"/api/blogs/{hidden.slug}/",
            f"/api/blogs/{hidden.slug}/entries/",
            f"/api/blogs/{hidden.slug}/entries/{entry.pk}/",
            f"/api/blogs/{hidden.slug}/events/",
        ):
            statuses[path] = api.get(path).status_code
        listing = api.get("/api/blogs/").json()
        statuses["listed"] = sum(b["slug"] == hidden.slug for b in listing["results"])
        front = client.get("/").content.decode()
        statuses["on the front page"] = hidden.title in front or hidden.slug in front
        return statuses

    statuses = await database_sync_to_async(pages)()
    assert statuses.pop("listed") == 0
    assert statuses.pop("on the front page") is False
    assert set(statuses.values()) == {404}, statuses

    reader = WebsocketCommunicator(
        application,
        f"/ws/blogs/{hidden.slug}/?after=0",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    await reader.connect()
    assert await reader.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": consumers.CLOSE_NOT_FOUND,
    }


@pytest.mark.django_db
def test_anonymous_users_never_reach_the_admin(blog: Blog, django_user_model: Any) -> None:
    reader = django_user_model.objects.create_user(username="reader", password="reads a lot 42")
    for who in ("anonymous", "signed-in reader"):
        client = Client()
        if who != "anonymous":
            client.force_login(reader)  # not staff
        for path in (
            "/admin/",
            "/admin/liveblog/blog/",
            f"/admin/liveblog/blog/{blog.pk}/change/",
            f"/admin/liveblog/blog/{blog.pk}/desk/",
            "/admin/liveblog/event/",
        ):
            response = client.get(path)
            assert response.status_code == 302, (who, path)
            assert response["Location"].startswith("/admin/login/"), (who, path)
        posted = client.post(f"/admin/liveblog/blog/{blog.pk}/desk/", {"body": "x"})
        assert posted.status_code == 302
    assert Entry.objects.count() == 0


# --- Limits per address and per user -----------------------------------------------------------

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


def _reader_from(address: str, slug: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/blogs/{slug}/", headers=ORIGIN)
    # The scope reaches the application when it first runs, on connect().
    communicator.scope["client"] = (address, 50_000)
    return communicator


@pytest.mark.django_db(transaction=True)
@override_settings(LIVEBLOG_WS_MAX_PER_IP=2)
async def test_websocket_connections_are_limited_per_address(blog: Blog) -> None:
    first, second = _reader_from("203.0.113.7", blog.slug), _reader_from("203.0.113.7", blog.slug)
    assert (await first.connect())[0] and (await second.connect())[0]

    third = _reader_from("203.0.113.7", blog.slug)
    connected, _ = await third.connect()
    assert not connected, "a third connection from the same address was accepted"
    neighbour = _reader_from("198.51.100.1", blog.slug)
    assert (await neighbour.connect())[0], "another address was refused"

    await first.disconnect()
    again = _reader_from("203.0.113.7", blog.slug)
    assert (await again.connect())[0], "a freed place was not given back"
    for communicator in (second, neighbour, again):
        await communicator.disconnect()
    limiter = router.application_mapping["websocket"]
    assert isinstance(limiter, limits.WebSocketConnectionLimit)
    assert limiter.open == {}, "connections are still counted after they closed"


@pytest.mark.django_db(transaction=True)
async def test_a_real_server_refuses_connections_over_the_limit_with_429(
    blog: Blog, logs: Path
) -> None:
    with tuned_servers(1, logs, LIVEBLOG_WS_MAX_PER_IP="3") as (server,):
        readers = [Reader([server.origin], blog.slug, name=f"r{n}") for n in range(3)]
        for reader in readers:
            reader.start()
        extra = Reader([server.origin], blog.slug, name="one too many")
        try:
            await asyncio.wait_for(asyncio.gather(*(r.connected.wait() for r in readers)), 10)
            extra.start()
            await asyncio.sleep(1)
            assert not extra.connected.is_set()
            assert "http 429" in extra.endings, extra.endings
            await readers[0].stop()  # a place frees up, and the next attempt gets it
            await asyncio.wait_for(extra.connected.wait(), 10)
        finally:
            await stop_all([*readers, extra])
    assert "Refused a WebSocket from 127.0.0.1" in server.log()


@pytest.mark.django_db(transaction=True)
def test_writes_are_limited_per_user_and_reads_per_address(
    blog: Blog, token_key: str, editor: Any, django_user_model: Any, logs: Path
) -> None:
    colleague = django_user_model.objects.create_user(username="colleague", is_staff=True)
    colleague.groups.add(editors_group())
    blog.members.add(colleague)
    _, colleague_key = tokens.token_create(user=colleague, name="colleague's bot")
    limits_env = {"LIVEBLOG_API_THROTTLE_WRITE": "3/min", "LIVEBLOG_API_THROTTLE_ANON": "5/min"}
    with tuned_servers(1, logs, **limits_env) as (server,):
        mine = [api_publish(server.port, blog.slug, token_key, f"update {n}") for n in range(4)]
        theirs = api_publish(server.port, blog.slug, colleague_key, "from a colleague")
        reads = [http_request(server.port, "GET", f"/api/blogs/{blog.slug}/") for _ in range(6)]

    assert [reply.status for reply in mine] == [201, 201, 201, 429]
    assert mine[-1].json()["code"] == "throttled"
    assert int(mine[-1].headers["retry-after"]) > 0
    assert theirs.status == 201, "one editor's limit held up another"
    assert [reply.status for reply in reads] == [200] * 5 + [429]
    assert Entry.objects.count() == 4


# --- The client's address -----------------------------------------------------------------

#: Loopback addresses a test connects from: the proxy, and a client without one.
PROXY, DIRECT = "127.0.0.3", "127.0.0.1"


async def _open_socket(
    stack: contextlib.AsyncExitStack, port: int, source: str, forwarded_for: str = ""
) -> str:
    """Open a reader's socket from ``source``; "open", or the HTTP status that refused it."""
    try:
        await stack.enter_async_context(
            connect(
                f"ws://127.0.0.1:{port}/ws/blogs/election-night/",
                origin=Origin(f"http://127.0.0.1:{port}"),
                additional_headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {},
                local_addr=(source, 0),
            )
        )
    except InvalidStatus as refused:
        return f"http {refused.response.status_code}"
    return "open"


@pytest.mark.django_db(transaction=True)
async def test_the_client_address_is_the_trusted_proxys_word_and_no_one_elses(
    blog: Blog, logs: Path
) -> None:
    limits_env = {
        "LIVEBLOG_TRUSTED_PROXIES": PROXY,
        "LIVEBLOG_API_THROTTLE_ANON": "3/min",
        "LIVEBLOG_WS_MAX_PER_IP": "2",
    }

    def reads(source: str, *forwarded_for: str) -> list[int]:
        return [
            http_request(
                server.port,
                "GET",
                f"/api/blogs/{blog.slug}/",
                headers={"X-Forwarded-For": header},
                source=source,
            ).status
            for header in forwarded_for
        ]

    with tuned_servers(1, logs, **limits_env) as (server,):
        # A client that is no proxy: a new header each time gets no new budget (DRF read it
        # from anyone), nor does a new header get it more sockets (uvicorn trusted 127.0.0.1).
        forged = await asyncio.to_thread(reads, DIRECT, *(f"198.51.100.{n}" for n in range(4)))
        # Through the trusted proxy, two readers count apart; what a reader wrote itself
        # (left of what the proxy appended) changes nothing.
        first = await asyncio.to_thread(reads, PROXY, "198.51.100.1", "198.51.100.1")
        second = await asyncio.to_thread(reads, PROXY, "198.51.100.2", "198.51.100.2")
        spoof = "203.0.113.9, 198.51.100.1"
        first_again = await asyncio.to_thread(reads, PROXY, "198.51.100.1", spoof)
        async with contextlib.AsyncExitStack() as stack:
            sockets = {
                "direct": [
                    await _open_socket(stack, server.port, DIRECT, f"192.0.2.{n}") for n in range(3)
                ],
                "first": [
                    await _open_socket(stack, server.port, PROXY, header)
                    for header in ("198.51.100.1", "198.51.100.1", spoof)
                ],
                "second": [
                    await _open_socket(stack, server.port, PROXY, "198.51.100.2") for _ in range(2)
                ],
            }

    assert forged == [200, 200, 200, 429]
    assert (first, second, first_again) == ([200, 200], [200, 200], [200, 429])
    assert sockets == {
        "direct": ["open", "open", "http 429"],
        "first": ["open", "open", "http 429"],
        "second": ["open", "open"],
    }
    log = server.log()
    assert "Refused a WebSocket from 127.0.0.1:" in log
    assert "Refused a WebSocket from 198.51.100.1:" in log


def _uvicorn_commands(text: str) -> list[str]:
    """Every uvicorn command line in a README or Makefile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line for line in joined.splitlines() if "-m uvicorn config.asgi" in line]


def test_uvicorn_leaves_the_client_address_to_the_app_wherever_it_is_started() -> None:
    # One mechanism: uvicorn's own proxy headers are on by default and trust 127.0.0.1, so
    # they would rewrite the address before liveblog.clients reads it.
    started = {
        "README": _uvicorn_commands((PROJECT / "README.md").read_text()),
        "Makefile": _uvicorn_commands((PROJECT / "Makefile").read_text()),
        "schemathesis": _uvicorn_commands((PROJECT / ".ci" / "schemathesis.sh").read_text()),
        "tests": [" ".join(UVICORN_FLAGS)],
    }
    assert started["README"] and started["Makefile"] and started["schemathesis"]
    for where, commands_there in started.items():
        for command in commands_there:
            assert "--no-proxy-headers" in command.split(), (where, command)
            assert "--forwarded-allow-ips" not in command, (where, command)


@pytest.mark.django_db(transaction=True)
async def test_behind_the_shipped_nginx_each_reader_counts_on_its_own(
    blog: Blog, logs: Path
) -> None:
    limits_env = {
        # nginx on the same machine, as the README says for that case.
        "LIVEBLOG_TRUSTED_PROXIES": "127.0.0.1",
        "LIVEBLOG_API_THROTTLE_ANON": "2/min",
        "LIVEBLOG_WS_MAX_PER_IP": "1",
    }
    with tuned_servers(1, logs, **limits_env) as (server,), nginx_in_front([server]) as proxy:
        reads_made = itertools.count()

        def reads(source: str, count: int, forwarded_for: str = "") -> list[int]:
            headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
            # Each URL once, so that every read gets past nginx's cache to the app.
            return [
                http_request(
                    proxy.port,
                    "GET",
                    f"/api/blogs/?read={next(reads_made)}",
                    headers=headers,
                    source=source,
                ).status
                for _ in range(count)
            ]

        first = await asyncio.to_thread(reads, "127.0.0.2", 3)
        second = await asyncio.to_thread(reads, "127.0.0.4", 2)
        # A reader that names another in the header still counts as itself.
        forger = await asyncio.to_thread(reads, "127.0.0.5", 3, "127.0.0.4")
        async with contextlib.AsyncExitStack() as stack:
            sockets = [
                await _open_socket(stack, proxy.port, source)
                for source in ("127.0.0.2", "127.0.0.2", "127.0.0.4")
            ]

    assert (first, second, forger) == ([200, 200, 429], [200, 200], [200, 200, 429])
    assert sockets == ["open", "http 429", "open"]
    assert "Refused a WebSocket from 127.0.0.2:" in server.log()


# --- The deploy check ---------------------------------------------------------------------------

#: The production environment the README documents (secret key aside), as CI checks it.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "live.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://live.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "true",
    "DJANGO_SSL_REDIRECT": "true",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_HSTS_PRELOAD": "true",
    "LIVEBLOG_TRUSTED_PROXIES": "10.0.0.0/8",
}


def test_the_deploy_check_passes_with_the_documented_production_settings() -> None:
    readme = (PROJECT / "README.md").read_text()
    undocumented = [name for name in PRODUCTION_ENV if name not in readme]
    assert not undocumented, f"README does not document {undocumented}"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env |= PRODUCTION_ENV | {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


# --- Secrets ------------------------------------------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}"),
    "liveblog API key": re.compile(r"\blb_[A-Za-z0-9_-]{40,}"),
    # A quoted literal (Python, JSON, YAML) or a shell assignment; not code that computes one.
    "secret key": re.compile(r"SECRET_KEY[\"']?\s*[:=]\s*([\"'])(?P<value>[^\"'\n]{8,})\1"),
    "secret key in a shell line": re.compile(r"SECRET_KEY=(?P<value>[^\s\"'$(){}]{8,})(?:\s|$)"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@\"']+:(?P<value>[^\s/@\"']+)@"),
}
#: Values that mark a literal as a placeholder or a fixture (test-only, bench-only...).
PLACEHOLDER = re.compile(
    r"test|only|insecure|example|dummy|change.?me|\.\.\.|^[<${]|^[A-Z_]+$", re.IGNORECASE
)


def _repository_files() -> list[Path]:
    """Tracked files and the new ones a commit would add (ignored files excluded)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=PROJECT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [PROJECT / name for name in listed.decode().split("\0") if name]


def test_no_secret_is_in_the_repository() -> None:
    found = []
    for path in _repository_files():
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        text = data.decode("utf-8", "replace")
        for kind, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                value = match.groupdict().get("value")
                if value is not None and PLACEHOLDER.search(value):
                    continue
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PROJECT)}:{line}: {kind}")
    assert not found, "secrets in the repository:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "path",
    [
        "var/demo-editor.txt",  # the demo editor's generated password
        "db.sqlite3",
        "db.sqlite3-wal",
        ".env",
        ".env.production",
        "staticfiles/admin/css/base.css",
    ],
)
def test_local_secrets_and_data_are_ignored_by_git(path: str) -> None:
    _repository_files()  # skips outside a git checkout
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", "--no-index", path], cwd=PROJECT, timeout=30
    )
    assert ignored.returncode == 0, f"{path} is not in .gitignore"
