"""Bad input: hostile entries render safely, oversized and malformed requests and frames are
refused with a clear answer, and a bad frame closes only the socket that sent it.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import socket
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from liveblog import consumers, markup
from liveblog.models import Blog, Entry
from tests.reliability.client import Reader, describe, stop_all
from tests.reliability.support import api_publish, http_request, tuned_servers
from tests.servers import WS_MAX_SIZE

# --- Hostile entries ------------------------------------------------------------------------

HOSTILE_BODIES = {
    "script": "<script>alert(1)</script>",
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-close-in-json": "</script><script>alert(1)</script>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "svg-onload": "<svg/onload=alert(1)>",
    "event-handler": '<p onclick="alert(1)" onmouseover=alert(1)>hover</p>',
    "js-link-html": '<a href="javascript:alert(1)">x</a>',
    "js-link-markdown": "[x](javascript:alert(1))",
    "js-link-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "js-link-entity": '<a href="&#106;avascript:alert(1)">x</a>',
    "js-link-tab": '<a href="java\tscript:alert(1)">x</a>',
    "js-link-autolink": "<javascript:alert(1)>",
    "vbscript-link": "[x](vbscript:msgbox(1))",
    "data-link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-image": "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object-embed": '<object data="x.swf"></object><embed src="x.swf">',
    "style": "<style>body{display:none}</style><p style=\"background:url('javascript:1')\">x</p>",
    "form": '<form action="https://evil.example"><input name=p><button>Go</button></form>',
    "base-meta": '<base href="https://evil.example/"><meta http-equiv=refresh content="0;url=x">',
    "math": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction>',
    "comment": "<!-- <script>alert(1)</script> -->visible",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "broken": "<b><i>unclosed <a href='http://x.example' <p>>< </div></table>",
    "template": "{{ settings.SECRET_KEY }} {% debug %} ${7*7} <%= 7*7 %>",
    "unicode": "\u202eevil\u202c \U0001f4a3 \ufeff zero\u200bwidth",
}
#: What a sanitized body may contain (liveblog.markup's allow-list).
SAFE_SCHEMES = ("http:", "https:", "mailto:")
#: Elements that must never appear on a reader page, whatever an entry says.
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg"}
FORBIDDEN_ELEMENTS |= {"math", "style", "template"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}


def _scheme(url: str) -> str:
    """The scheme a browser would see: entities decoded, whitespace and controls dropped."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return f"{match.group(1)}:" if match else ""


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def _parse(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


def assert_sanitized(body_html: str) -> None:
    """An entry's HTML holds only the allow-listed tags, attributes and link schemes."""
    for tag, attributes in _parse(body_html).tags:
        assert tag in markup._ALLOWED_TAGS, f"<{tag}> in {body_html!r}"
        allowed = markup._ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        assert set(attributes) <= allowed, f"<{tag} {attributes}> in {body_html!r}"
        href = attributes.get("href")
        if href and _scheme(href):
            assert _scheme(href) in SAFE_SCHEMES, f"href={href!r} in {body_html!r}"


def assert_safe_page(page: str) -> None:
    """A page runs only its own scripts, whatever the entries on it say."""
    parsed = _parse(page)
    for tag, attributes in parsed.tags:
        assert tag not in FORBIDDEN_ELEMENTS, f"<{tag} {attributes}>"
        for name, value in attributes.items():
            assert not name.startswith("on"), f"<{tag} {name}={value!r}>"
            if name in URL_ATTRIBUTES and not (tag == "link" and value == "data:,"):
                assert _scheme(value) not in {"javascript:", "vbscript:", "data:"}, (tag, value)
        assert "style" not in attributes, f"<{tag} style=...>"
        assert not (tag == "meta" and "http-equiv" in attributes), attributes
    for attributes, text in parsed.scripts:
        if "src" in attributes:
            assert attributes["src"].startswith(settings.STATIC_URL), attributes
            assert not text.strip()
        else:
            # Data islands only, which must still parse: a "</script>" in an entry would have
            # ended the element early and left broken JSON behind.
            assert attributes.get("type") in {"application/json", "application/ld+json"}, text
            json.loads(text)


@pytest.fixture
def publisher(token_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_entries_render_safely_on_every_page(
    blog: Blog, publisher: APIClient, body: str
) -> None:
    response = publisher.post(
        f"/api/blogs/{blog.slug}/entries/",
        {"body": body, "headline": body[:300]},
        format="json",
    )
    if response.status_code == 400:
        # Refused: then with a message that says which field and why.
        assert response.json()["errors"], response.json()
        return
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["body"] == body, "the editor's text is kept as written"
    assert_sanitized(entry["body_html"])

    reader = Client()
    for path in (f"/blogs/{blog.slug}/", f"/blogs/{blog.slug}/entries/{entry['id']}/"):
        page = reader.get(path)
        assert page.status_code == 200
        assert_safe_page(page.content.decode())
    feed = reader.get(f"/blogs/{blog.slug}/feed/")
    assert feed.status_code == 200
    for element in ElementTree.fromstring(feed.content).iter():
        if element.tag.endswith(("content", "summary")) and element.text:
            assert_sanitized(element.text)
    event = publisher.get(f"/api/blogs/{blog.slug}/events/?after={blog.last_seq}").json()
    assert_sanitized(event["results"][0]["entry"]["body_html"])  # what the push channel sends


@pytest.mark.django_db
def test_a_megabyte_of_text_is_refused_with_a_clear_message(
    blog: Blog, publisher: APIClient
) -> None:
    response = publisher.post(
        f"/api/blogs/{blog.slug}/entries/", {"body": "word " * 200_000}, format="json"
    )
    assert response.status_code == 400
    error = response.json()
    assert list(error["errors"]) == ["body"]
    assert "50000" in error["message"].replace(",", "")
    assert Entry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("application/json", b'{"body": '),
        ("application/json", b"[1, 2, 3]"),
        ("application/json", b'{"body": "\xff\xfe"}'),
        ("application/json", b'{"body": "ok", "occurred_at": "0001-01-01T00:00:00+00:00"}'),
        ("application/json", b'{"body": "ok", "occurred_at": "9999-12-31T23:59:59-14:00"}'),
        ("application/json", b'{"body": "nul \\u0000 inside"}'),
        ("application/json", b'{"body": "ok", "pinned": "maybe"}'),
        ("text/plain", b"body=hello"),
        ("application/x-www-form-urlencoded", b"body=hello"),
        # Python's json recursed into a RecursionError: an HTML 500.
        ("application/json", b'{"body": ' + b"[" * 1000 + b"]" * 1000 + b"}"),
        ("application/json", b"[" * 100_000),
        ("application/json", b'{"body": "ok", "headline": ' + b"[" * 30 + b"]" * 30 + b"}"),
    ],
    ids=[
        "truncated", "array", "not-utf8", "year-one", "far-future", "nul", "not-a-bool",
        "text", "form", "nested-1000", "nested-unclosed", "nested-30",
    ],
)  # fmt: skip
def test_malformed_requests_get_a_clear_4xx(
    blog: Blog, publisher: APIClient, content_type: str, payload: bytes
) -> None:
    response = publisher.generic(
        "POST",
        f"/api/blogs/{blog.slug}/entries/",
        # DRF's stubs say str; Django's generic() takes bytes, which malformed bodies need.
        payload,  # type: ignore[arg-type]
        content_type=content_type,
    )
    assert 400 <= response.status_code < 500, response.content
    error = response.json()
    assert error["message"] and error["code"]
    if b"[[[" in payload:
        assert (response.status_code, error["code"]) == (400, "parse_error")
        assert "nested more than 20 levels" in error["message"]
    assert Entry.objects.count() == 0
    # The reader page still renders: nothing half-stored that it cannot show.
    assert Client().get(f"/blogs/{blog.slug}/").status_code == 200


# --- Oversized requests and frames, garbage frames (real servers) ----------------------------


def _announce_only(port: int, path: str, length: int, headers: dict[str, str]) -> tuple[int, bytes]:
    """Send only the head of a request with "Expect: 100-continue", as curl does for large
    bodies, and return the status and body the server answers before seeing any of it."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    head += ["Expect: 100-continue", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.django_db(transaction=True)
def test_oversized_request_bodies_are_refused_before_they_are_read(
    blog: Blog, token_key: str, logs: Path
) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    headers = {"Authorization": f"Bearer {token_key}", "Content-Type": "application/json"}
    oversized = json.dumps({"body": "x" * limit}).encode()
    # The same body without a Content-Length, as a client streaming it would send it.
    chunks = [oversized[start : start + 65536] for start in range(0, len(oversized), 65536)]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    path = f"/api/blogs/{blog.slug}/entries/"
    with tuned_servers(1, logs) as (server,):
        announced = _announce_only(server.port, path, 50 * limit, headers)
        declared = http_request(server.port, "POST", path, body=oversized, headers=headers)
        chunked = http_request(server.port, "POST", path, body=chunks, headers=headers)
        login = b"username=" + b"x" * limit
        admin = http_request(server.port, "POST", "/admin/login/", body=login, headers=form)
        normal = api_publish(server.port, blog.slug, token_key, "Still taking updates.")

    assert announced[0] == 413, announced
    for reply in (declared, chunked):
        assert reply.status == 413, reply.body[:300]
        assert reply.headers["content-type"] == "application/json"
        error = reply.json()
        assert error["code"] == "too_large"
        assert f"{limit:,}" in error["message"]
    assert json.loads(announced[1])["code"] == "too_large"
    assert admin.status == 413
    assert b"larger than" in admin.body
    assert normal.status == 201, normal.body
    assert Entry.objects.count() == 1


async def _close_code(websocket: Any) -> int | None:
    try:
        await asyncio.wait_for(websocket.recv(), 5)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    return None


@pytest.mark.django_db(transaction=True)
async def test_bad_frames_close_only_the_socket_that_sent_them(
    blog: Blog, token_key: str, logs: Path
) -> None:
    with tuned_servers(1, logs) as (server,):
        url = f"{server.ws}/ws/blogs/{blog.slug}/"
        bystander = Reader([server.origin], blog.slug, after=blog.last_seq, name="bystander")
        bystander.start()
        try:
            await asyncio.wait_for(bystander.connected.wait(), 10)
            codes = {}
            offered: list[list[Any]] = []
            for kind in ("text", "binary", "oversized", "not-a-frame", "invalid-utf8"):
                async with connect(url, origin=Origin(server.origin), max_size=None) as ws:
                    # The client offers permessage-deflate, as browsers do; the README's
                    # server declines it (zlib state per reader; README, "Why no ...").
                    offered.append(ws.protocol.extensions)
                    if kind == "text":
                        await ws.send('{"type": "entry.published", "body": "spoof"}')
                    elif kind == "binary":
                        await ws.send(b"\x00\x01\x02")
                    elif kind == "oversized":
                        await ws.send("x" * (WS_MAX_SIZE + 1))
                    elif kind == "not-a-frame":
                        ws.transport.write(b"\xff\xffgarbage that is not a WebSocket frame")
                    else:
                        # A text frame whose payload is not UTF-8 (masked with a zero key).
                        ws.transport.write(b"\x81\x82\x00\x00\x00\x00\xc3\x28")
                    codes[kind] = await _close_code(ws)
            reply = await asyncio.to_thread(
                api_publish, server.port, blog.slug, token_key, "After the garbage."
            )
            assert reply.status == 201, reply.body
            assert await bystander.wait_for_seq(blog.last_seq + 1, within=10)
        finally:
            await stop_all([bystander])
        alive = server.process is not None and server.process.poll() is None

    assert offered == [[]] * 5  # no compression negotiated
    assert codes == {
        "text": consumers.CLOSE_READ_ONLY,  # readers cannot write
        "binary": consumers.CLOSE_READ_ONLY,
        "oversized": 1009,  # message too big, refused by uvicorn --ws-max-size
        "not-a-frame": 1002,  # protocol error
        "invalid-utf8": 1007,  # invalid frame payload data
    }
    assert alive
    assert bystander.seqs == [blog.last_seq + 1], describe(bystander, [blog.last_seq + 1])
    assert bystander.endings == []


async def _refusal(url: str, origin: str) -> int | str:
    """The HTTP status that refused a handshake, or the close code that ended the socket."""
    try:
        async with connect(url, origin=Origin(origin)) as ws:
            return await _close_code(ws) or "open"
    except InvalidStatus as refused:
        return f"http {refused.response.status_code}"


@pytest.mark.django_db(transaction=True)
async def test_malformed_handshakes_are_refused_without_a_traceback(blog: Blog, logs: Path) -> None:
    with tuned_servers(1, logs) as (server,):
        channel = f"{server.ws}/ws/blogs/{blog.slug}/"
        refusals = {
            # Channels' router raised for a path no route matches: a 500 and a traceback.
            "unknown path": await _refusal(f"{server.ws}/ws/blogs/%C3%A9/", server.origin),
            # str.isdigit() accepted "²", and int() raised.
            "superscript after": await _refusal(f"{channel}?after=%C2%B2", server.origin),
            # urlparse raised inside Channels' origin check.
            "unreadable origin": await _refusal(channel, "http://["),
            "origin port": await _refusal(channel, "http://127.0.0.1:99999"),
        }
    assert refusals == {
        "unknown path": "http 403",
        "superscript after": consumers.CLOSE_BAD_REQUEST,
        "unreadable origin": "http 403",
        "origin port": "http 403",
    }
    assert "ERROR" not in server.log() and "Traceback" not in server.log(), server.log()
