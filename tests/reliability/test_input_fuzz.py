"""No input gets a 5xx: arbitrary text in everything the app reads from a request.

Every query parameter, path segment, header and admin form field the app reads (the reader
pages, their fragment, the feed, the API, the admin's own views) gets arbitrary Unicode, or
arbitrary bytes percent-encoded, and must be answered below 500 without a traceback. On the
push channel, arbitrary paths, ``after`` values and headers must end in the documented close
codes or a refused handshake, with nothing logged as an error. ``test_api_fuzz.py`` fuzzes
the API's bodies from its schema; this covers what the schema does not describe.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_from_bytes

import pytest
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.asgi import application
from liveblog import commands, consumers
from liveblog.models import Blog, Entry

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    # The blog, its entry and the signed-in member persist across examples, as in use.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Arbitrary Unicode (hypothesis leaves out lone surrogates, which no URL can carry).
TEXT = st.text(max_size=30)
#: Values that look like numbers to one reader and not to another: str.isdigit() accepts
#: "²" and "①", which int() refuses; int() accepts "٣", " 7" and "1_000".
NUMBERISH = st.one_of(
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=3),
    st.sampled_from(["²", "①", "٣", "\uff17", " 7", "+7", "-1", "1_000", "1e3", "0x1", "7.0"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
#: A piece of a URL: text as UTF-8, any bytes, or something numberish, percent-encoded.
URL_PART = st.one_of(
    TEXT.map(lambda text: quote(text, safe="")),
    st.binary(max_size=12).map(lambda data: quote_from_bytes(data, safe="")),
    NUMBERISH.map(lambda text: quote(text, safe="")),
)
#: A header value: bytes on the wire, which Django and Channels read as Latin-1.
HEADER_VALUE = st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=40)

#: Each query parameter the app reads, and the pages that read it ({slug}, {entry} and
#: {blog} are the real blog's). DRF's ?format= is read by every API view.
QUERY_READERS = {
    "before": ["/blogs/{slug}/", "/blogs/{slug}/updates/", "/blogs/{slug}/corrections/"],
    "view": ["/blogs/{slug}/", "/blogs/{slug}/updates/"],
    "at": ["/blogs/{slug}/", "/blogs/{slug}/updates/"],
    "after": ["/api/blogs/{slug}/events/"],
    "limit": ["/api/blogs/", "/api/blogs/{slug}/entries/", "/api/blogs/{slug}/events/"],
    "cursor": ["/api/blogs/", "/api/blogs/{slug}/entries/"],
    "status": ["/api/blogs/"],
    "format": ["/api/blogs/", "/api/blogs/{slug}/entries/{entry}/", "/api/nothing/"],
    "lang": ["/api/schema/", "/api/docs/"],
    "version": ["/api/schema/", "/api/docs/"],
    # The admin's change lists: search, ordering, page, filters, and its own flags.
    "q": [
        "/admin/liveblog/blog/",
        "/admin/liveblog/entry/",
        "/admin/liveblog/event/",
        "/admin/liveblog/webhook/",
    ],
    "o": [
        "/admin/liveblog/blog/",
        "/admin/liveblog/entry/",
        "/admin/liveblog/event/",
        "/admin/liveblog/webhook/",
    ],
    "p": ["/admin/liveblog/blog/", "/admin/liveblog/event/", "/admin/liveblog/apitoken/"],
    "status__exact": [
        "/admin/liveblog/blog/",
        "/admin/liveblog/entry/",
        "/admin/liveblog/webhook/",
    ],
    "blog__id__exact": ["/admin/liveblog/entry/", "/admin/liveblog/event/"],
    "type": ["/admin/liveblog/event/"],
    "actor": ["/admin/liveblog/event/"],
    "_to_field": ["/admin/liveblog/blog/{blog}/change/", "/admin/liveblog/entry/{entry}/change/"],
    "_changelist_filters": ["/admin/liveblog/blog/{blog}/change/"],
    "_popup": ["/admin/liveblog/blog/{blog}/change/", "/admin/liveblog/blog/"],
    "e": ["/admin/liveblog/blog/"],
    "all": ["/admin/liveblog/event/"],
    "next": ["/admin/login/"],
}
#: Headers the app, Django or DRF read.
HEADERS = {
    "If-None-Match": "HTTP_IF_NONE_MATCH",
    "If-Modified-Since": "HTTP_IF_MODIFIED_SINCE",
    "Authorization": "HTTP_AUTHORIZATION",
    "Accept": "HTTP_ACCEPT",
    "Accept-Language": "HTTP_ACCEPT_LANGUAGE",
    "Cookie": "HTTP_COOKIE",
    "X-Forwarded-For": "HTTP_X_FORWARDED_FOR",
    "X-Forwarded-Proto": "HTTP_X_FORWARDED_PROTO",
    "X-CSRFToken": "HTTP_X_CSRFTOKEN",
    "Referer": "HTTP_REFERER",
    "Origin": "HTTP_ORIGIN",
    "Host": "HTTP_HOST",
    "Content-Type": "CONTENT_TYPE",
}
#: Fields of the admin's own forms (desk, preview, status, correct, retract, flags).
FORM_FIELDS = [
    "action", "next", "body", "headline", "occurred_at", "entry_id", "reason",
    "based_on_revision", "key_event", "pinned", "_preview",
]  # fmt: skip


@pytest.fixture
def target(blog: Blog, editor: Any, settings: Any) -> Iterator[dict[str, Any]]:
    # Throttling is tested elsewhere; here it would answer most requests with 429.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "write": "100000/min"},
    }
    entry = commands.entry_publish(blog=blog, body="Polls close at **10pm**.", actor="editor")
    member = Client()
    member.force_login(editor)
    yield {"blog": blog, "entry": entry, "member": member, "anonymous": Client()}


def _pages(blog: Blog, entry: Entry) -> list[str]:
    slug, entry_id, blog_id = blog.slug, entry.pk, blog.pk
    return [
        "/",
        f"/blogs/{slug}/",
        f"/blogs/{slug}/updates/",
        f"/blogs/{slug}/feed/",
        f"/blogs/{slug}/corrections/",
        f"/blogs/{slug}/corrections/feed/",
        f"/blogs/{slug}/entries/{entry_id}/",
        "/api/blogs/",
        f"/api/blogs/{slug}/",
        f"/api/blogs/{slug}/entries/",
        f"/api/blogs/{slug}/entries/{entry_id}/",
        f"/api/blogs/{slug}/events/",
        "/api/schema/",
        "/admin/liveblog/blog/",
        f"/admin/liveblog/blog/{blog_id}/change/",
        f"/admin/liveblog/blog/{blog_id}/desk/",
        "/admin/liveblog/entry/",
        f"/admin/liveblog/entry/{entry_id}/change/",
        f"/admin/liveblog/entry/{entry_id}/correct/",
        f"/admin/liveblog/entry/{entry_id}/retract/",
        "/admin/liveblog/event/",
        "/admin/liveblog/apitoken/",
        f"/api/blogs/{slug}/webhooks/",
        "/admin/liveblog/webhook/",
        "/admin/liveblog/webhook/add/",
    ]


#: Paths with one segment replaced by arbitrary text ({slug}, {entry} and {blog} stay real).
SEGMENT_PATHS = [
    "/blogs/{}/",
    "/blogs/{}/updates/",
    "/blogs/{}/feed/",
    "/blogs/{}/corrections/",
    "/blogs/{slug}/entries/{}/",
    "/api/blogs/{}/",
    "/api/blogs/{}/entries/",
    "/api/blogs/{slug}/entries/{}/",
    "/api/blogs/{slug}/entries/{}/correct/",
    "/api/blogs/{}/events/",
    "/api/{}/",
    "/admin/liveblog/blog/{}/desk/",
    "/admin/liveblog/blog/{}/desk/preview/",
    "/admin/liveblog/blog/{}/status/",
    "/admin/liveblog/blog/{}/change/",
    "/admin/liveblog/entry/{}/correct/",
    "/admin/liveblog/entry/{}/retract/",
    "/admin/liveblog/entry/{}/flags/",
    "/admin/liveblog/entry/{}/change/",
    "/admin/liveblog/event/{}/change/",
    "/api/blogs/{}/webhooks/",
    "/api/blogs/{slug}/webhooks/{}/",
    "/api/blogs/{slug}/webhooks/{}/resume/",
    "/admin/liveblog/webhook/{}/change/",
    "/admin/liveblog/webhook/{}/resume/",
    # The admin's "view on site": a content type, or an id of any kind of object.
    "/admin/r/{}/{blog}/",
    "/admin/r/{content_type}/{}/",
    "/admin/r/{entry_type}/{}/",
]
#: The admin's own forms, posted to by a member.
FORMS = [
    "/admin/liveblog/blog/{blog}/desk/",
    "/admin/liveblog/blog/{blog}/desk/preview/",
    "/admin/liveblog/blog/{blog}/status/",
    "/admin/liveblog/entry/{entry}/correct/",
    "/admin/liveblog/entry/{entry}/retract/",
    "/admin/liveblog/entry/{entry}/flags/",
]


def _check(response: Any, what: str) -> None:
    said = f"{what} -> {response.status_code}: {response.content[:300]!r}"
    assert response.status_code < 500, said
    assert b"Traceback" not in response.content, said


def _client(target: dict[str, Any], signed_in: bool) -> Client:
    return target["member" if signed_in else "anonymous"]


def _fill(path: str, target: dict[str, Any]) -> str:
    blog, entry = target["blog"], target["entry"]
    return path.format(
        slug=blog.slug,
        entry=entry.pk,
        blog=blog.pk,
        content_type=ContentType.objects.get_for_model(blog).pk,
        entry_type=ContentType.objects.get_for_model(entry).pk,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", QUERY_READERS)
@SETTINGS
@given(page=st.integers(min_value=0), value=URL_PART, signed_in=st.booleans())
def test_any_query_parameter_gets_an_answer_below_500(
    target: dict[str, Any], name: str, page: int, value: str, signed_in: bool
) -> None:
    readers = QUERY_READERS[name]
    path = f"{_fill(readers[page % len(readers)], target)}?{name}={value}"
    _check(_client(target, signed_in).get(path), f"GET {path}")


@pytest.mark.django_db
@pytest.mark.parametrize("template", SEGMENT_PATHS)
@SETTINGS
@given(segment=URL_PART, post=st.booleans())
def test_any_path_segment_gets_an_answer_below_500(
    target: dict[str, Any], template: str, segment: str, post: bool
) -> None:
    path = _fill(template.replace("{}", segment or "x", 1), target)
    member = target["member"]
    response = member.post(path, {"action": "pin"}) if post else member.get(path)
    _check(response, f"{'POST' if post else 'GET'} {path}")


@pytest.mark.django_db
@pytest.mark.parametrize("header", HEADERS)
@SETTINGS
@given(
    page=st.integers(min_value=0),
    value=st.one_of(HEADER_VALUE, HEADER_VALUE.map(lambda value: f"Bearer {value}")),
    signed_in=st.booleans(),
)
def test_any_header_gets_an_answer_below_500(
    target: dict[str, Any], header: str, page: int, value: str, signed_in: bool
) -> None:
    pages = _pages(target["blog"], target["entry"])
    path = pages[page % len(pages)]
    meta: dict[str, Any] = {HEADERS[header]: value}
    client = _client(target, signed_in)
    _check(client.get(path, **meta), f"GET {path} with {header}: {value!r}")
    if path.endswith("/entries/"):  # a write, where Content-Type and CSRF count
        body = '{"body": "Counting has begun."}'
        meta.setdefault("CONTENT_TYPE", "application/json")
        _check(client.generic("POST", path, body, **meta), f"POST {path} with {header}")


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS)
@SETTINGS
@given(fields=st.dictionaries(st.sampled_from(FORM_FIELDS), st.one_of(TEXT, NUMBERISH), min_size=1))
def test_any_admin_form_field_gets_an_answer_below_500(
    target: dict[str, Any], form: str, fields: dict[str, str]
) -> None:
    path = form.format(blog=target["blog"].pk, entry=target["entry"].pk)
    _check(target["member"].post(path, fields), f"POST {path} {fields}")


# --- The push channel --------------------------------------------------------------------

#: What a handshake may end in: accepted, closed with a documented code after accepting
#: (4400 bad after, 4404 unknown blog), or refused before it (an origin not allowed, a path
#: that is no push channel), which the server answers with HTTP 403.
DOCUMENTED_CLOSE_CODES = {consumers.CLOSE_BAD_REQUEST, consumers.CLOSE_NOT_FOUND}
#: Where the handshakes come from: a trusted proxy, so that X-Forwarded-For is read too.
PROXY = "203.0.113.7"


@pytest.fixture
def behind_a_proxy(settings: Any) -> None:
    settings.LIVEBLOG_TRUSTED_PROXIES = [PROXY]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("behind_a_proxy")
@settings(SETTINGS, max_examples=100)
@given(
    slug=st.one_of(st.just("election-night"), URL_PART),
    after=st.one_of(st.none(), st.integers(min_value=0, max_value=5).map(str), URL_PART),
    extra_path=st.one_of(st.just(""), URL_PART),
    origin=st.one_of(st.just("http://localhost"), HEADER_VALUE),
    forwarded_for=st.one_of(st.none(), HEADER_VALUE),
)
async def test_any_handshake_ends_in_a_documented_way_without_an_error(
    target: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    slug: str,
    after: str | None,
    extra_path: str,
    origin: str,
    forwarded_for: str | None,
) -> None:
    path = f"/ws/blogs/{slug or 'x'}/{extra_path + '/' if extra_path else ''}"
    if after is not None:
        path += f"?after={after}"
    headers = [(b"origin", origin.encode("latin-1")), (b"host", b"localhost")]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode("latin-1")))
    caplog.clear()
    reader = WebsocketCommunicator(application, path, headers=headers)
    reader.scope["client"] = (PROXY, 50_000)
    reader.scope["extensions"] = {"websocket.http.response": {}}  # as uvicorn offers
    await reader.send_input({"type": "websocket.connect"})
    first = await reader.receive_output(timeout=5)
    said = f"{path} origin={origin!r}: {first}"
    if first["type"] == "websocket.accept":
        # Then the log (with a valid after), or at once a close with a documented code.
        if not await reader.receive_nothing(timeout=0.05):
            then = await reader.receive_output(timeout=5)
            if then["type"] == "websocket.close":
                assert then["code"] in DOCUMENTED_CLOSE_CODES, f"{said}, then {then}"
            else:
                assert then["type"] == "websocket.send", f"{said}, then {then}"
    else:
        assert first["type"] == "websocket.close" and "code" not in first, said
    await reader.disconnect()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"{said}: {[r.getMessage() for r in errors]}"
