"""What is not published stays on the desk: no public path serves a draft, a scheduled
update, a submission or a return note, and the public cursor stays gapless.

The approach of ``test_retractions``: put words on the desk that nothing public may ever
hold, then read the blog every way the public can (pages, fragments, the feed, JSON-LD, the
API, the events API, webhooks, the push channel from a hub's memory and from the log). The
desk's events keep their seqs in the log; the public sees each as a placeholder without its
words (``"type": "private"``), so a reader's ``?after=`` never waits for a seq that does not
come. Runs on SQLite with the in-memory layer and on PostgreSQL with Redis.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from liveblog import commands, fanout
from liveblog.bylines import Byline
from liveblog.models import Blog, DeskEntry, Entry, Event
from tests.reliability.test_retractions import _connect, _receive_through

#: Words only the desk ever held: a draft, a schedule, a submission, a note, an old text.
UNPUBLISHED = ("Zarbanian", "Quillfeather", "Marrowbone", "Ostrovica", "Vardenikyan")
PLACEHOLDER_KEYS = {"seq", "type", "occurred_at", "recorded_at", "entry_id"}


def assert_unpublished_withheld(text: str, where: str) -> None:
    found = [word for word in UNPUBLISHED if word in text]
    assert not found, f"{where} serves the unpublished words {found}"


def _desk(blog: Blog) -> dict[str, DeskEntry]:
    """Every state an unpublished update can be in, and one published after an edit."""

    def write(body: str, status: str, actor: str = "editor", **kwargs: Any) -> DeskEntry:
        writing = commands.Writing(body=body, headline=body.split()[0], **kwargs)
        later = timezone.now() + timedelta(hours=1) if status == "scheduled" else None
        return commands.desk_write(
            blog=blog, actor=actor, writing=writing, status=status, publish_at=later
        ).entry

    draft = write("Zarbanian resigns, sources say", "draft")
    scheduled = write("Quillfeather report out at 14:00", "scheduled")
    submitted = write("Marrowbone seen in Goris", "submitted", "freelancer", labels=["Breaking"])
    returned = write("Shelling reported near the border", "submitted", "freelancer")
    commands.desk_return(entry=returned, actor="editor", note="Ostrovica needs a second source")
    approved = write("Vardenikyan wins the vote", "submitted", "freelancer")
    commands.desk_revise(
        entry=approved,
        actor="editor",
        writing=commands.Writing(body="The count is complete", byline=Byline("Ana Petrosyan")),
    )
    commands.desk_publish(entry=approved, actor="editor")
    cancelled = write("Zarbanian denies it", "draft")
    commands.desk_cancel(entry=cancelled, actor="editor")
    return {
        "draft": draft,
        "scheduled": scheduled,
        "submitted": submitted,
        "returned": returned,
        "approved": approved,
        "cancelled": cancelled,
    }


def _public_urls(blog: Blog, desk: dict[str, DeskEntry]) -> list[str]:
    slug = blog.slug
    return [
        "/",
        f"/blogs/{slug}/",
        f"/blogs/{slug}/?view=key-events",
        f"/blogs/{slug}/?label=Breaking",
        f"/blogs/{slug}/updates/",
        f"/blogs/{slug}/entries/{desk['approved'].pk}/",
        f"/blogs/{slug}/feed/",
        "/api/blogs/",
        f"/api/blogs/{slug}/",
        f"/api/blogs/{slug}/entries/",
        f"/api/blogs/{slug}/entries/?label=Breaking",
        f"/api/blogs/{slug}/entries/{desk['approved'].pk}/",
        f"/api/blogs/{slug}/events/",
        f"/api/blogs/{slug}/events/?after=0&limit=1",
    ]


@pytest.mark.django_db
def test_no_page_feed_or_api_response_serves_what_is_not_published(blog: Blog) -> None:
    desk = _desk(blog)
    readers = Client()
    for url in _public_urls(blog, desk):
        response = readers.get(url)
        assert response.status_code == 200, url
        assert_unpublished_withheld(response.content.decode(), url)
    for name, item in desk.items():
        if name == "approved":
            continue
        for url in (
            f"/blogs/{blog.slug}/entries/{item.pk}/",
            f"/api/blogs/{blog.slug}/entries/{item.pk}/",
        ):
            assert readers.get(url).status_code == 404, (name, url)
    for status in ("draft", "scheduled", "submitted", "returned"):
        answer = readers.get(f"/api/blogs/{blog.slug}/entries/?status={status}")
        assert answer.status_code == 401
        assert_unpublished_withheld(answer.content.decode(), f"?status={status}")
    # The approved update is public now, as edited: the words it was submitted with are not.
    page = readers.get(f"/blogs/{blog.slug}/").content.decode()
    assert "The count is complete" in page and "Ana Petrosyan" in page


@pytest.mark.django_db
def test_the_events_api_shows_the_desk_s_events_as_placeholders_in_a_gapless_log(
    blog: Blog,
) -> None:
    _desk(blog)
    blog.refresh_from_db()
    events = []  # the closed pages, then the open one
    for after in range(0, blog.last_seq + 1, 10):
        page = Client().get(f"/api/blogs/{blog.slug}/events/?after={after}&limit=10")
        events += page.json()["results"]
    assert [event["seq"] for event in events] == list(range(1, blog.last_seq + 1))
    private = [event for event in events if event["type"] == "private"]
    logged = Event.objects.filter(blog=blog, type__startswith="desk.").count()
    assert len(private) == logged > 0
    assert all(set(event) == PLACEHOLDER_KEYS and event["entry_id"] is None for event in private)
    assert_unpublished_withheld(json.dumps(events), "the events API")


@pytest.mark.django_db
def test_webhooks_never_receive_the_desk_s_events(blog: Blog, settings: Any) -> None:
    from liveblog.webhooks import delivery, subscriptions
    from liveblog.webhooks.outbound import Sender
    from tests.webhooks.receivers import Receiver

    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver().start()
    webhook = subscriptions.webhook_create(blog=blog, url=receiver.url)[0]
    sender = Sender(timeout=5, allow_private=True)
    try:
        _desk(blog)
        while delivery.deliver_next(webhook.pk, sender=sender) is delivery.Step.DELIVERED:
            pass
        delivery.deliver_next(webhook.pk, sender=sender)  # passes the desk's last events
    finally:
        sender.close()
        receiver.stop()
    webhook.refresh_from_db()
    assert webhook.delivered_seq == Blog.objects.get(pk=blog.pk).last_seq
    assert [request.message["type"] for request in receiver.received] == ["entry.published"]
    for request in receiver.received:
        assert_unpublished_withheld(request.body.decode(), "a webhook")


@pytest.mark.django_db(transaction=True)
async def test_the_push_channel_sends_placeholders_live_and_from_the_log(blog: Blog) -> None:
    before = blog.last_seq
    follower = await _connect(f"/ws/blogs/{blog.slug}/")
    await database_sync_to_async(_desk)(blog)
    newest = await database_sync_to_async(lambda: Blog.objects.get(pk=blog.pk).last_seq)()
    live = await _receive_through(follower, newest)
    await follower.disconnect()
    fanout.forget_hubs()  # another process: the catch-up comes from the log
    reader = await _connect(f"/ws/blogs/{blog.slug}/?after={before}")
    caught_up = await _receive_through(reader, newest)
    await reader.disconnect()
    for texts, where in ((live, "a live reader"), (caught_up, "a catch-up from the log")):
        messages = [json.loads(text) for text in texts]
        assert [m["seq"] for m in messages] == list(range(before + 1, newest + 1)), where
        assert {m["type"] for m in messages} == {"private", "entry.published"}, where
        assert_unpublished_withheld("".join(texts), where)


@pytest.mark.django_db
def test_members_read_the_desk_in_the_admin(blog: Blog, editor: Any) -> None:
    desk = _desk(blog)
    member = Client()
    member.force_login(editor)
    page = member.get(f"/api/blogs/{blog.slug}/entries/?status=submitted").content.decode()
    assert "Marrowbone" in page
    assert DeskEntry.objects.get(pk=desk["returned"].pk).note.startswith("Ostrovica")
    assert not Entry.objects.filter(pk__in=[d.pk for n, d in desk.items() if n != "approved"])
