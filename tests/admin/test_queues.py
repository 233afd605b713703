"""The desk's composer and queues: drafts, the schedule, approval, and a contributor's outcome.

Every step goes through the desk's commands; these tests drive the desk as an editor's and a
contributor's browsers do, and check what each then sees and what readers get.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveblog.models import Blog, DeskEntry, Entry, Event
from tests.admin.pages import desk_page, messages_of

pytestmark = pytest.mark.django_db


def _compose(client: Client, blog: Blog, button: str, **fields: object):
    data = {"entry_id": str(uuid.uuid4()), "body": "Polls close at ten.", button: "x", **fields}
    return client.post(desk_page(blog), data, follow=True)


def _item_page(item: DeskEntry) -> str:
    return reverse("admin:liveblog_blog_unpublished", args=[item.blog_id, item.pk])


def _act(client: Client, item: DeskEntry, action: str, **data: object):
    url = reverse("admin:liveblog_blog_unpublished_action", args=[item.blog_id, item.pk, action])
    return client.post(url, data, follow=True)


def _local(when: datetime, blog: Blog) -> str:
    return timezone.localtime(when, ZoneInfo(blog.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_a_draft_is_saved_resumed_on_another_device_and_published(
    desk_client: Client, editor, blog: Blog
) -> None:
    sent = _compose(desk_client, blog, "_draft", headline="Exit poll")
    item = DeskEntry.objects.get(blog=blog)
    assert item.status == DeskEntry.Status.DRAFT
    assert not Entry.objects.exists()
    assert any("draft" in message for message in messages_of(sent))

    phone = Client()
    phone.force_login(editor)
    desk = phone.get(desk_page(blog)).content.decode()
    assert 'id="queue-drafts"' in desk and "Exit poll" in desk
    page = phone.get(_item_page(item)).content.decode()
    assert "Polls close at ten." in page

    saved = phone.post(
        _item_page(item),
        {
            "body": "Polls closed at ten.",
            "headline": "Exit poll",
            "based_on_revision": 1,
            "_publish": "x",
        },
        follow=True,
    )
    assert sent.status_code == saved.status_code == 200
    published = Entry.objects.get(pk=item.pk)
    assert published.body == "Polls closed at ten."
    item.refresh_from_db()
    assert item.status == DeskEntry.Status.PUBLISHED


def test_a_draft_is_deleted_from_its_queue(desk_client: Client, blog: Blog) -> None:
    _compose(desk_client, blog, "_draft")
    item = DeskEntry.objects.get(blog=blog)
    _act(desk_client, item, "cancel")
    item.refresh_from_db()
    assert item.status == DeskEntry.Status.CANCELLED
    assert Event.objects.filter(blog=blog, type="desk.cancelled").exists()
    assert "Polls close" not in desk_client.get(desk_page(blog)).content.decode()


def test_an_update_is_scheduled_in_the_newsroom_s_time_zone(
    desk_client: Client, blog: Blog
) -> None:
    page = desk_client.get(desk_page(blog)).content.decode()
    assert "Europe/London" in page and 'name="publish_at"' in page
    when = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    sent = _compose(desk_client, blog, "_schedule", publish_at=_local(when, blog))
    item = DeskEntry.objects.get(blog=blog)
    assert item.status == DeskEntry.Status.SCHEDULED and item.publish_at == when
    assert any("Scheduled" in message for message in messages_of(sent))
    assert 'id="queue-scheduled"' in sent.content.decode()

    later = when + timedelta(hours=1)
    desk_client.post(
        _item_page(item),
        {
            "body": "Embargo lifts.",
            "based_on_revision": 1,
            "publish_at": _local(later, blog),
            "_save": "x",
        },
    )
    item.refresh_from_db()
    assert (item.publish_at, item.body) == (later, "Embargo lifts.")

    _act(desk_client, item, "unschedule")
    item.refresh_from_db()
    assert item.status == DeskEntry.Status.DRAFT
    assert not Entry.objects.exists()


def test_schedule_without_a_time_and_publish_with_one_say_what_to_do(
    desk_client: Client, blog: Blog
) -> None:
    without = _compose(desk_client, blog, "_schedule").content.decode()
    assert "Choose when to publish it." in without
    when = _local(timezone.now() + timedelta(hours=1), blog)
    with_time = _compose(desk_client, blog, "_publish", publish_at=when).content.decode()
    assert "press “Schedule”" in with_time
    past = _local(timezone.now() - timedelta(hours=1), blog)
    assert (
        "Publication time has passed"
        in _compose(desk_client, blog, "_schedule", publish_at=past).content.decode()
    )
    assert not DeskEntry.objects.exists() and not Entry.objects.exists()


def test_the_composer_publishes_with_another_byline_and_the_blog_s_labels(
    desk_client: Client, blog: Blog
) -> None:
    page = desk_client.get(desk_page(blog)).content.decode()
    for label in blog.labels:
        assert f'value="{label}"' in page
    _compose(desk_client, blog, "_publish", byline="Reuters", labels=[blog.labels[0]])
    entry = Entry.objects.get(blog=blog)
    assert entry.author_name == "Reuters" and entry.labels == [blog.labels[0]]
    refused = _compose(desk_client, blog, "_publish", labels=["Not a label"]).content.decode()
    assert "Not a label" in refused and Entry.objects.count() == 1


def test_a_contributor_s_update_goes_through_approval(
    desk_client: Client, contributor_client: Client, blog: Blog
) -> None:
    page = contributor_client.get(desk_page(blog)).content.decode()
    assert 'name="_draft"' not in page and 'name="publish_at"' not in page
    _compose(contributor_client, blog, "_publish", headline="Shelling near Goris")
    item = DeskEntry.objects.get(blog=blog)
    assert item.status == DeskEntry.Status.SUBMITTED

    desk = desk_client.get(desk_page(blog)).content.decode()
    assert 'id="queue-submitted"' in desk and "Shelling near Goris" in desk
    returned = _act(desk_client, item, "return", note="Which village? Add a source.")
    assert any("Returned" in message for message in messages_of(returned))

    mine = contributor_client.get(desk_page(blog)).content.decode()
    assert "Which village? Add a source." in mine and "Change and submit again" in mine
    contributor_client.post(
        _item_page(item),
        {
            "body": "Shelling near Goris, says the mayor.",
            "headline": "Shelling near Goris",
            "based_on_revision": 1,
            "_save": "x",
        },
    )
    item.refresh_from_db()
    assert item.status == DeskEntry.Status.SUBMITTED

    # The editor edits, then approves, in one step.
    desk_client.post(
        _item_page(item),
        {
            "body": "Shelling near Goris, the mayor says.",
            "headline": "Shelling near Goris",
            "based_on_revision": item.revision,
            "_publish": "x",
        },
    )
    entry = Entry.objects.get(pk=item.pk)
    assert entry.body == "Shelling near Goris, the mayor says."
    assert entry.author_name == "Ana Petrosyan"
    outcome = contributor_client.get(desk_page(blog)).content.decode()
    assert "Published" in outcome and "readers have it" in outcome
    assert Event.objects.filter(blog=blog, type="desk.published", actor="editor").exists()


def test_approve_from_the_queue(
    desk_client: Client, contributor_client: Client, blog: Blog
) -> None:
    _compose(contributor_client, blog, "_publish")
    item = DeskEntry.objects.get(blog=blog)
    approved = _act(desk_client, item, "publish")
    assert any("Published" in message for message in messages_of(approved))
    assert Entry.objects.filter(pk=item.pk).exists()


def test_a_contributor_neither_approves_nor_touches_others_updates(
    desk_client: Client, contributor_client: Client, blog: Blog
) -> None:
    _compose(contributor_client, blog, "_publish")
    theirs = DeskEntry.objects.get(blog=blog)
    for action in ("publish", "return", "unschedule"):
        assert _act(contributor_client, theirs, action, note="x").status_code == 403
    _compose(desk_client, blog, "_draft", body="The editor's draft")
    draft = DeskEntry.objects.get(status=DeskEntry.Status.DRAFT)
    assert contributor_client.get(_item_page(draft)).status_code == 404
    assert _act(contributor_client, draft, "cancel").status_code == 404
    assert not Entry.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DeskEntry.Status.DRAFT


def test_a_stale_change_is_refused_and_says_so(desk_client: Client, blog: Blog) -> None:
    _compose(desk_client, blog, "_draft")
    item = DeskEntry.objects.get(blog=blog)
    desk_client.post(_item_page(item), {"body": "First", "based_on_revision": 1, "_save": "x"})
    stale = desk_client.post(
        _item_page(item), {"body": "Second", "based_on_revision": 1, "_save": "x"}
    )
    assert "was changed since you opened it" in stale.content.decode()
    item.refresh_from_db()
    assert item.body == "First"
