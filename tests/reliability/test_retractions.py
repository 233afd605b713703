"""A retraction sticks: once an entry is retracted, no public path serves its words again.

Each test publishes an entry, corrects it (so two revisions hold the words), retracts it and
then reads it back the way the public can: reader pages and their fragments, the permalink
and its revision list, the page as it stood at each moment before the retraction
(``?at=``), the corrections page and its feed, the Atom feed, the JSON-LD, the API
(entries, the entry, the log), webhooks, HTTP caches' validators, and the push channel from
a hub's memory, from the log, from a hub that heard of the retraction only through its log
check, and for readers whose catch-up or queue races the retraction; last, with two server
processes. Editors still read everything in the admin. Runs on SQLite with the in-memory
layer and on PostgreSQL with Redis.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
import websockets
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client
from django.utils.http import urlencode
from websockets.typing import Origin

from config.asgi import application
from liveblog import broadcast, caching, commands, consumers, fanout
from liveblog.api.tokens import token_create
from liveblog.models import Blog, Entry, Event
from tests.reliability.support import http_request, tuned_servers, wait_until
from tests.servers import nginx_in_front

#: Words only the withdrawn entry ever held: its headline, body, correction and reason.
WITHDRAWN = ("Zarbanian", "Quillfeather", "Marrowbone", "Ostrovica")
RETRACTION_REASON = "It could not be verified"
ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


def publish_correct_retract(blog: Blog, actor: str = "editor") -> Entry:
    """The entry's whole life: a pinned key event, corrected once, then retracted."""
    entry = commands.entry_publish(
        blog=blog,
        actor=actor,
        headline="Zarbanian named as the source",
        body="Minister **Zarbanian** met Quillfeather in Goris.",
        key_event=True,
        pinned=True,
    )
    corrected = commands.entry_correct(
        entry=entry,
        actor=actor,
        headline="Zarbanian named as the source of the leak",
        body="Minister **Zarbanian** met Quillfeather and Marrowbone in Goris.",
        reason="Added Marrowbone, who was there too (spelled Ostrovica-Marrowbone)",
    )
    return commands.entry_retract(entry=corrected, actor=actor, reason=RETRACTION_REASON)


def assert_withheld(text: str, where: str) -> None:
    found = [word for word in WITHDRAWN if word in text]
    assert not found, f"{where} serves the withdrawn words {found}"


# --- Pages, feed, JSON-LD, API -----------------------------------------------------------------


def _moments(entry: Entry) -> list[str]:
    """``?at=`` queries for each moment of the entry's life before its retraction (and one
    after): the page as it stood then still withholds the words."""
    times = Event.objects.filter(entry_id=entry.pk).order_by("seq")
    return [urlencode({"at": event.occurred_at.isoformat()}) for event in times]


def _history_urls(blog: Blog, entry: Entry) -> list[str]:
    """The pages as they stood at each moment of the entry, and the corrections record."""
    slug = blog.slug
    moments = _moments(entry)
    return [
        *(f"/blogs/{slug}/?{at}" for at in moments),
        *(f"/blogs/{slug}/?view=key-events&{at}" for at in moments),
        *(f"/blogs/{slug}/updates/?{at}" for at in moments),
        f"/blogs/{slug}/corrections/",
        f"/blogs/{slug}/corrections/feed/",
    ]


def _public_urls(blog: Blog, entry: Entry, newer: Entry) -> list[str]:
    slug = blog.slug
    return [
        "/",
        f"/blogs/{slug}/",
        f"/blogs/{slug}/?view=key-events",
        f"/blogs/{slug}/?before={newer.published_seq}",
        f"/blogs/{slug}/updates/",
        f"/blogs/{slug}/updates/?view=key-events",
        f"/blogs/{slug}/updates/?before={newer.published_seq}",
        f"/blogs/{slug}/entries/{entry.pk}/",
        f"/blogs/{slug}/feed/",
        "/api/blogs/",
        f"/api/blogs/{slug}/",
        f"/api/blogs/{slug}/entries/",
        f"/api/blogs/{slug}/entries/?limit=1",
        f"/api/blogs/{slug}/entries/{entry.pk}/",
        f"/api/blogs/{slug}/events/",
        f"/api/blogs/{slug}/events/?after=0&limit=1",
    ]


@pytest.mark.django_db
def test_no_page_feed_or_api_response_serves_the_withdrawn_words(blog: Blog, editor: Any) -> None:
    entry = publish_correct_retract(blog)
    newer = commands.entry_publish(blog=blog, actor="editor", body="A later update.")
    readers, member = Client(), Client()
    member.force_login(editor)  # a member reads the public pages as the public does
    for client in (readers, member):
        for url in [*_public_urls(blog, entry, newer), *_history_urls(blog, entry)]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_withheld(response.content.decode(), url)
    page = readers.get(f"/blogs/{blog.slug}/entries/{entry.pk}/").content.decode()
    assert RETRACTION_REASON in page and 'id="revision-2"' in page  # the history stays
    json_ld = readers.get(f"/blogs/{blog.slug}/").content.decode().split("application/ld+json")
    assert "Retracted update" in json_ld[1]
    # Editors still read everything in the admin.
    admin_page = member.get(f"/admin/liveblog/entry/{entry.pk}/change/").content.decode()
    assert all(word in admin_page for word in WITHDRAWN)


@pytest.mark.django_db
def test_the_events_api_withholds_the_words_of_every_event_of_the_entry(blog: Blog) -> None:
    entry = publish_correct_retract(blog)
    events = Client().get(f"/api/blogs/{blog.slug}/events/?after=0").json()["results"]
    about = [event for event in events if event.get("entry", {}).get("id") == str(entry.pk)]
    assert [event["type"] for event in about] == [
        "entry.published",
        "entry.corrected",
        "entry.retracted",
    ]
    assert all(event["entry"]["status"] == "retracted" for event in about)
    assert_withheld(json.dumps(events), "the events API")


@pytest.mark.django_db
def test_webhooks_withhold_the_words_once_the_entry_is_retracted(blog: Blog, settings: Any) -> None:
    """A subscriber that was down all along, and one that got the entry while it stood."""
    from liveblog.webhooks import delivery, subscriptions
    from liveblog.webhooks.outbound import Sender
    from tests.webhooks.receivers import Receiver

    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = True  # receivers on 127.0.0.1
    down, up = Receiver(), Receiver().start()
    webhooks = [subscriptions.webhook_create(blog=blog, url=r.url)[0] for r in (down, up)]
    sender = Sender(timeout=5, allow_private=True)

    def deliver(webhook_id: Any) -> None:
        while delivery.deliver_next(webhook_id, sender=sender) is delivery.Step.DELIVERED:
            pass

    try:
        entry = commands.entry_publish(
            blog=blog, actor="editor", headline="Zarbanian named", body="Zarbanian met Goris."
        )
        deliver(webhooks[1].pk)
        assert "Zarbanian" in up.received[0].body.decode()  # public while it stood
        commands.entry_retract(entry=entry, actor="editor", reason=RETRACTION_REASON)
        publish_correct_retract(blog)
        down.start()
        for webhook in webhooks:
            deliver(webhook.pk)
    finally:
        sender.close()
        down.stop()
        up.stop()
    appended = Blog.objects.get(pk=blog.pk).last_seq - webhooks[0].delivered_seq
    assert len(down.received) == len(up.received) == appended == 5
    for request in [*down.received, *up.received[1:]]:
        assert_withheld(request.body.decode(), "a webhook")
        assert request.message["entry"]["status"] == "retracted"


@pytest.mark.django_db
def test_a_closed_page_of_the_log_never_held_the_words(blog: Blog) -> None:
    """Caches keep a closed page of the log for a year and no one can call a copy back, so
    it holds what each event is and never an entry's text: while the entry is published
    (its words everywhere else), and unchanged once it is retracted."""
    entry = commands.entry_publish(
        blog=blog, actor="editor", headline="Zarbanian named", body="Quillfeather in Goris."
    )
    entry = commands.entry_correct(
        entry=entry, actor="editor", body="Quillfeather and Marrowbone.", reason="Ostrovica"
    )
    client = Client()
    pages = [f"/api/blogs/{blog.slug}/events/?after={after}&limit=1" for after in range(4)]
    pages.append(f"/api/blogs/{blog.slug}/events/?limit={entry.last_seq}")
    copies = {url: client.get(url) for url in pages}
    assert "Quillfeather" in client.get(f"/api/blogs/{blog.slug}/events/").content.decode()
    commands.entry_retract(entry=entry, actor="editor", reason=RETRACTION_REASON)
    for url, copy in copies.items():
        assert copy["Cache-Control"] == "public, max-age=31536000, immutable", url
        assert_withheld(copy.content.decode(), url)
        assert client.get(url).content == copy.content, url


def _wait_for_a_fresh_second() -> None:
    """Start at the beginning of a clock second, so what follows shares that second."""
    time.sleep(1 - time.time() % 1 + 0.01)


@pytest.mark.django_db
def test_a_copy_from_before_the_retraction_is_never_confirmed_as_current(blog: Blog) -> None:
    """Neither its ETag nor its Last-Modified gets a 304 once the entry is retracted.

    All within one second, as a retraction right after a publish is: Last-Modified has whole
    seconds, so it must not vouch for a state whose second is not over. Caches may keep a
    copy only briefly; the one kind they keep for a year never held the words.
    """
    client = Client()
    _wait_for_a_fresh_second()
    entry = commands.entry_publish(
        blog=blog, actor="editor", headline="Zarbanian", body="Quillfeather said so."
    )
    urls = [*_public_urls(blog, entry, entry), *_history_urls(blog, entry)]
    copies = {url: client.get(url) for url in urls}
    commands.entry_retract(entry=entry, actor="editor", reason=RETRACTION_REASON)
    held = 0
    for url, copy in copies.items():
        lifetime = _directives(copy["Cache-Control"])
        if "immutable" in lifetime:
            assert_withheld(copy.content.decode(), f"{url}, kept for a year")
            continue
        assert lifetime["public"] is True, url
        kept = int(lifetime["max-age"]) + int(lifetime["stale-while-revalidate"])
        assert kept <= caching.RETRACTION_REACHES_CACHES_SECONDS, url
        if "Quillfeather" not in copy.content.decode():
            continue  # a page that never showed the entry may well be current
        held += 1
        validators = {"If-None-Match": copy["ETag"]}
        if "Last-Modified" in copy:
            validators["If-Modified-Since"] = copy["Last-Modified"]
        for asked in (validators, {"If-Modified-Since": copy.get("Last-Modified", "")}):
            response = client.get(url, headers=asked)
            assert response.status_code == 200, (url, asked)
        assert response["ETag"] != copy["ETag"], url
    assert held >= 8  # the pages, feed and API reads that showed the entry
    assert any("immutable" in copy["Cache-Control"] for copy in copies.values())


def _directives(header: str) -> dict[str, str | bool]:
    """``Cache-Control`` as a dict: ``{"public": True, "max-age": "3", ...}``."""
    directives: dict[str, str | bool] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        directives[name] = value or True
    return directives


# --- The push channel, in this process -------------------------------------------------------


async def _connect(path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _receive(reader: WebsocketCommunicator, count: int) -> list[str]:
    return [await reader.receive_from(timeout=5) for _ in range(count)]


async def _receive_through(reader: WebsocketCommunicator, seq: int) -> list[str]:
    """Every message up to and including ``seq``."""
    texts: list[str] = []
    while not texts or json.loads(texts[-1])["seq"] < seq:
        texts.append(await reader.receive_from(timeout=5))
    return texts


async def _life_of_an_entry(blog: Blog) -> Entry:
    return await database_sync_to_async(publish_correct_retract)(blog)


async def _publish_the_claim(blog: Blog) -> Entry:
    """An entry in the withdrawn words, still published (a test retracts it)."""
    return await database_sync_to_async(commands.entry_publish)(
        blog=blog, actor="editor", headline="Zarbanian", body="Quillfeather in Goris."
    )


async def _catch_up_from(blog: Blog, after: int, *, through: int) -> list[str]:
    reader = await _connect(f"/ws/blogs/{blog.slug}/?after={after}")
    texts = await _receive_through(reader, through)
    await reader.disconnect()
    return texts


@pytest.mark.django_db(transaction=True)
async def test_a_catch_up_from_the_hub_s_memory_withholds_the_words(blog: Blog) -> None:
    before = blog.last_seq
    follower = await _connect(f"/ws/blogs/{blog.slug}/")  # the hub keeps what it pushes
    entry = await _life_of_an_entry(blog)
    live = await _receive_through(follower, entry.last_seq)
    assert "Quillfeather" in live[0]  # pushed while it was published, as it should be
    assert [json.loads(text)["type"] for text in live][-1] == "entry.retracted"
    assert_withheld(live[-1], "the retraction's push")

    texts = await _catch_up_from(blog, before, through=entry.last_seq)
    assert [json.loads(text)["seq"] for text in texts] == list(
        range(before + 1, entry.last_seq + 1)
    )
    assert_withheld("".join(texts), "a catch-up from the hub's memory")
    await follower.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_catch_up_from_the_log_withholds_the_words(blog: Blog) -> None:
    before = blog.last_seq
    entry = await _life_of_an_entry(blog)
    fanout.forget_hubs()  # a process that never pushed these events: they come from the log
    texts = await _catch_up_from(blog, before, through=entry.last_seq)
    assert len(texts) == entry.last_seq - before
    assert_withheld("".join(texts), "a catch-up from the log")


@pytest.mark.django_db(transaction=True)
async def test_a_retraction_heard_only_through_the_log_check_withholds_the_words(
    blog: Blog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "LOG_CHECK_SECONDS", 0.1)
    before = blog.last_seq
    follower = await _connect(f"/ws/blogs/{blog.slug}/")
    entry = await _publish_the_claim(blog)
    assert "Quillfeather" in (await _receive(follower, 1))[0]
    # The layer loses the retraction (at-most-once): only the log check brings it.
    monkeypatch.setattr(broadcast, "send_events", lambda events: None)
    retracted = await database_sync_to_async(commands.entry_retract)(
        entry=entry, actor="editor", reason=RETRACTION_REASON
    )
    assert json.loads((await _receive(follower, 1))[0])["type"] == "entry.retracted"
    texts = await _catch_up_from(blog, before, through=retracted.last_seq)
    assert_withheld("".join(texts), "a catch-up after the log check brought the retraction")
    await follower.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_catch_up_read_just_before_the_retraction_is_not_sent_after_it(
    blog: Blog, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = blog.last_seq
    entry = await _publish_the_claim(blog)
    hub = fanout.hub_for(get_channel_layer(), blog.pk)  # the one the reader joins
    real_log_page = broadcast.log_page
    raced: list[Entry] = []

    def log_page_overtaken_by_the_retraction(*args: Any) -> list[broadcast.Push]:
        page = real_log_page(*args)  # the entry still published when read...
        if not raced:
            raced.append(commands.entry_retract(entry=entry, actor="e", reason="Unverified"))
            deadline = time.monotonic() + 5
            while hub.newest_seq < raced[0].last_seq and time.monotonic() < deadline:
                time.sleep(0.01)  # ...and the hub heard of the retraction before it returns
        return page

    monkeypatch.setattr(broadcast, "log_page", log_page_overtaken_by_the_retraction)
    reader = await _connect(f"/ws/blogs/{blog.slug}/?after={before}")
    texts = await _receive_through(reader, entry.last_seq + 1)
    assert raced and hub.newest_seq == raced[0].last_seq
    assert [json.loads(text)["seq"] for text in texts] == [entry.last_seq, entry.last_seq + 1]
    assert_withheld("".join(texts), "a catch-up that raced the retraction")
    await reader.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_text_queued_for_a_reader_is_not_sent_once_its_entry_is_retracted(
    blog: Blog, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    real_send = consumers.BlogConsumer.send_text

    async def held_send(self: consumers.BlogConsumer, text: str) -> None:
        if "the gate" in text:
            await gate.wait()  # a reader busy with an earlier message
        await real_send(self, text)

    monkeypatch.setattr(consumers.BlogConsumer, "send_text", held_send)
    reader = await _connect(f"/ws/blogs/{blog.slug}/")
    await database_sync_to_async(commands.entry_publish)(blog=blog, actor="e", body="the gate")
    entry = await _life_of_an_entry(blog)  # queued behind the gate, retracted meanwhile
    hub = fanout.hub_for(get_channel_layer(), blog.pk)
    deadline = time.monotonic() + 5
    while hub.newest_seq < entry.last_seq:  # the hub has heard of the retraction
        assert time.monotonic() < deadline, "the retraction never reached the hub"
        await asyncio.sleep(0.01)
    gate.set()
    texts = await _receive_through(reader, entry.last_seq)
    first = entry.published_seq - 1
    assert [json.loads(text)["seq"] for text in texts] == list(range(first, entry.last_seq + 1))
    assert_withheld("".join(texts), "a reader's queue")
    await reader.disconnect()


# --- Two server processes ------------------------------------------------------------------


async def _read_until(url: str, origin: str, seq: int, texts: list[str] | None = None) -> list[str]:
    """Read ``url``'s push channel into ``texts`` up to and including ``seq``."""
    texts = [] if texts is None else texts
    async with websockets.connect(url, origin=Origin(origin), open_timeout=10) as socket:
        while not texts or json.loads(texts[-1])["seq"] < seq:
            texts.append(str(await asyncio.wait_for(socket.recv(), 15)))
    return texts


async def _until_received(texts: list[str], seq: int) -> None:
    deadline = time.monotonic() + 15
    while not texts or json.loads(texts[-1])["seq"] < seq:
        assert time.monotonic() < deadline, f"seq {seq} never arrived"
        await asyncio.sleep(0.05)


def _api(port: int, method: str, path: str, key: str, **body: Any) -> dict[str, Any]:
    reply = http_request(
        port,
        method,
        path,
        body=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert reply.status < 300, reply.body
    return reply.json()


@pytest.mark.django_db(transaction=True)
def test_with_two_processes_neither_serves_the_words_after_the_retraction(
    blog: Blog, editor: Any, logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retraction reaches the other process's hub through the layer (Redis) or its log
    check (the in-memory layer, or a message Redis lost), after that hub pushed the text."""
    _, key = token_create(user=editor, name="retraction test")
    before = blog.last_seq
    with tuned_servers(2, logs, LIVEBLOG_LOG_CHECK_SECONDS="0.3") as (first, second):
        socket_path = f"{second.ws}/ws/blogs/{blog.slug}/"

        async def scenario() -> list[str]:
            followed: list[str] = []
            follower = asyncio.create_task(
                _read_until(socket_path, second.origin, before + 5, followed)
            )
            await asyncio.sleep(1.0)  # the follower is in: the second hub pushes (and keeps) texts
            entries = f"/api/blogs/{blog.slug}/entries/"
            one = await asyncio.to_thread(
                _api, first.port, "POST", entries, key, headline="Zarbanian", body="Quillfeather."
            )
            await asyncio.to_thread(
                _api, first.port, "POST", f"{entries}{one['id']}/correct/", key,
                body="Quillfeather and Marrowbone.", reason="Ostrovica added", based_on_revision=1,
            )  # fmt: skip
            two = await asyncio.to_thread(
                _api, first.port, "POST", entries, key, body="Ostrovica, Zarbanian said."
            )
            await _until_received(followed, before + 3)
            assert "Quillfeather" in followed[0]  # pushed while it was published, and kept
            # Through the layer (with Redis; else the second process's log check)...
            await asyncio.to_thread(
                _api, first.port, "POST", f"{entries}{one['id']}/retract/", key, reason="Unverified"
            )
            # ...and through the log check alone: committed here, broadcast to no one.
            with monkeypatch.context() as patched:
                patched.setattr(broadcast, "send_events", lambda events: None)
                await database_sync_to_async(commands.entry_retract)(
                    entry=two["id"], actor="editor", reason="Unverified"
                )
            await follower
            caught_up = []
            for server in (second, first):
                path = f"{server.ws}/ws/blogs/{blog.slug}/?after={before}"
                caught_up += await _read_until(path, server.origin, before + 5)
            return [*followed[-2:], *caught_up]

        texts = asyncio.run(scenario())
        assert_withheld("".join(texts), "the push channel of two processes")
        for server in (first, second):
            for path in (f"/api/blogs/{blog.slug}/events/", f"/blogs/{blog.slug}/"):
                reply = http_request(server.port, "GET", path)
                assert reply.status == 200
                assert_withheld(reply.body.decode(), f"{path} on port {server.port}")


# --- Behind nginx, with its cache ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_behind_nginx_no_cached_copy_serves_the_words_once_its_lifetime_is_over(
    blog: Blog, editor: Any, logs: Path
) -> None:
    """The shipped nginx caches pages and the API for seconds and closed log pages for a
    year: once the short lifetime is over, nothing it serves holds the words, and what it
    keeps for a year never held them."""
    _, key = token_create(user=editor, name="retraction test")
    entries = f"/api/blogs/{blog.slug}/entries/"
    behind_nginx = {"LIVEBLOG_TRUSTED_PROXIES": "127.0.0.1", "LIVEBLOG_API_THROTTLE_ANON": "1000/s"}
    with (
        tuned_servers(2, logs, **behind_nginx) as servers,
        nginx_in_front(servers) as proxy,
    ):
        one = _api(proxy.port, "POST", entries, key, headline="Zarbanian", body="Quillfeather.")
        _api(
            proxy.port, "POST", f"{entries}{one['id']}/correct/", key,
            body="Quillfeather and Marrowbone.", reason="Ostrovica added", based_on_revision=1,
        )  # fmt: skip
        newer = _api(proxy.port, "POST", entries, key, body="A later update.")
        entry = Entry.objects.get(pk=one["id"])
        last_seq = Entry.objects.get(pk=newer["id"]).published_seq
        closed_pages = [
            f"/api/blogs/{blog.slug}/events/?after={after}&limit=1" for after in range(last_seq)
        ]
        public = _public_urls(blog, entry, Entry.objects.get(pk=newer["id"]))
        urls = list(dict.fromkeys([*public, *closed_pages]))

        def read_all() -> dict[str, str]:
            replies = {url: http_request(proxy.port, "GET", url) for url in urls}
            assert all(reply.status == 200 for reply in replies.values()), replies
            return {url: reply.body.decode() for url, reply in replies.items()}

        before = read_all()
        cached = read_all()  # now from nginx's cache, mostly
        assert sum("Quillfeather" in text for text in cached.values()) >= 8
        _api(proxy.port, "POST", f"{entries}{one['id']}/retract/", key, reason="Unverified")
        time.sleep(caching.RETRACTION_REACHES_CACHES_SECONDS + 0.5)
        after = read_all()
        # Four writes and three rounds of reads, each logged once answered.
        wait_until(lambda: len(proxy.access_log()) >= 4 + 3 * len(urls), 5)
        statuses = proxy.access_log()

    for url, text in after.items():
        assert_withheld(text, f"{url} through nginx after the retraction")
    for url in closed_pages:
        assert_withheld(before[url], f"{url}, which nginx keeps for a year")
        assert after[url] == before[url]
    page_statuses = [line for line in statuses if f'"GET /blogs/{blog.slug}/ HTTP' in line]
    assert "cache=HIT" in page_statuses[1], "the reader page was served from the cache"
    closed_statuses = [line for line in statuses if "&limit=1 HTTP" in line]
    # Each closed page reached the app once, then came from the cache for the rest.
    assert sum("cache=MISS" in line for line in closed_statuses) == len(closed_pages)
    assert sum("cache=HIT" in line for line in closed_statuses) == 2 * len(closed_pages)
