"""The reader page's JavaScript modules as a browser gets them (their behaviour: tests/js/).

A module script loads only if every module it imports is found and served as JavaScript;
a browser refuses a module of any other type. And the page preloads them all, so they arrive
together rather than one import after another; a module imported only when needed (the
polling fallback, ``import()``) is neither preloaded nor part of the first render's bytes.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
from asgiref.testing import ApplicationCommunicator
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from django.core.management import call_command
from django.test import Client, override_settings

from bench.report import JS_KB
from liveblog import commands
from liveblog.models import Blog

STATIC = Path(__file__).resolve().parents[1] / "liveblog" / "static"
ENTRY_MODULE = "liveblog/live.js"
IMPORT = re.compile(r'^\s*import\s[^"\']*?["\'](\.{1,2}/[^"\']+)["\'];', re.M)
# import(`./live/polling.js?${n}`): loaded when needed; the query only tells retries apart.
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*["\'`](\.{1,2}/[^"\'`?$]+)')
# What HTML calls a JavaScript MIME type (the WHATWG MIME Sniffing standard), of those a
# server's defaults give .js: RFC 9239's name, and the one nginx's mime.types still uses.
JAVASCRIPT_TYPES = {"text/javascript", "application/javascript"}


def _module_graph(entry: str = ENTRY_MODULE) -> set[str]:
    """The static paths of the entry module and of every module it imports, transitively."""
    seen: set[str] = set()
    pending = [entry]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        source = (STATIC / path).read_text()
        for relative in IMPORT.findall(source):
            resolved = PurePosixPath(path).parent / relative
            pending.append(str(PurePosixPath(*_normalise(resolved.parts))))
    return seen


def _lazy_modules(entry: str = ENTRY_MODULE) -> set[str]:
    """Modules the entry module's graph imports only when needed, with what they import."""
    graph = _module_graph(entry)
    lazy: set[str] = set()
    for path in graph:
        for relative in DYNAMIC_IMPORT.findall((STATIC / path).read_text()):
            resolved = PurePosixPath(path).parent / relative
            lazy |= _module_graph(str(PurePosixPath(*_normalise(resolved.parts))))
    return lazy - graph


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part != ".":
            out.append(part)
    return out


async def _get(path: str) -> tuple[int, dict[str, str]]:
    """GET ``path`` from the app as config/asgi.py serves it with DJANGO_SERVE_STATIC on."""
    app = ASGIStaticFilesHandler(get_asgi_application())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 1234),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    while (await communicator.receive_output(timeout=5)).get("more_body"):
        pass
    headers = {key.decode().lower(): value.decode() for key, value in start["headers"]}
    return start["status"], headers


def test_the_module_graph_is_the_entry_module_and_the_modules_it_imports() -> None:
    graph = _module_graph()
    assert ENTRY_MODULE in graph
    assert "liveblog/live/state.js" in graph
    assert all((STATIC / path).is_file() for path in graph)


@pytest.mark.django_db
def test_the_page_loads_live_js_as_a_module_and_preloads_every_module_it_imports(
    client: Client, blog: Blog
) -> None:
    commands.entry_publish(blog=blog, body="One", actor="editor")
    page = client.get(blog.get_absolute_url()).content.decode()
    assert '<script type="module" src="/static/liveblog/live.js"></script>' in page
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', page))
    assert preloaded == _module_graph()


def test_the_features_after_the_first_render_are_imported_only_when_needed() -> None:
    # The polling fallback when the socket fails; the rest once the page has loaded (LATER).
    later = {"views", "zones", "share", "latest", "visits"}
    expected = {"liveblog/live/polling.js", *(f"liveblog/live/{name}.js" for name in later)}
    assert _lazy_modules() == expected


@pytest.mark.django_db
def test_the_first_render_loads_under_the_javascript_budget(client: Client, blog: Blog) -> None:
    """Every script the page loads at once, as served (``bench.reader``'s figure), not gzipped."""
    page = client.get(blog.get_absolute_url()).content.decode()
    scripts = set(re.findall(r'<script[^>]* src="/static/([^"]+)"', page))
    loaded = set().union(*(_module_graph(path) for path in scripts))
    assert "liveblog/live/polling.js" not in loaded
    size = sum((STATIC / path).stat().st_size for path in loaded)
    assert size < JS_KB * 1000, f"{size:,} bytes of JavaScript: {sorted(loaded)}"


@pytest.mark.parametrize("path", sorted(_module_graph() | _lazy_modules()))
async def test_the_app_serves_each_module_as_javascript(path: str) -> None:
    status, headers = await _get(f"/static/{path}")
    assert status == 200
    assert headers["content-type"].split(";")[0] in JAVASCRIPT_TYPES


def test_collectstatic_collects_every_module(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", verbosity=0)
    modules = _module_graph() | _lazy_modules()
    missing = [path for path in sorted(modules) if not (tmp_path / path).is_file()]
    assert not missing
