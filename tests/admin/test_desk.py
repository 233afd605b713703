"""The live desk: publish, preview, refuse bad input; a form sent twice publishes once."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveblog import commands
from liveblog.models import Entry, Event
from tests.admin.pages import desk_page, last_event, messages_of, publish_from_desk
from tests.racing import hold_each_append, run_together

pytestmark = pytest.mark.django_db


def test_the_desk_shows_the_form_the_preview_and_the_latest_entries(desk_client, blog, entry):
    response = desk_client.get(desk_page(blog))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="body"' in html and "Preview" in html and "Turnout is 60%." in html
    assert reverse("admin:liveblog_entry_correct", args=[entry.pk]) in html
    assert f"{reverse('admin:liveblog_event_changelist')}?blog__id__exact={blog.pk}" in html


def test_publishing_from_the_desk_appends_an_event_and_returns_to_the_desk(desk_client, blog):
    response = publish_from_desk(
        desk_client,
        blog,
        "Polls have **closed**.\r\n\r\nCounting starts.",
        entry_id="9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e001",
        headline="Polls close",
        key_event="on",
    )
    assert response.status_code == 302 and response.url == desk_page(blog)
    event = last_event(blog)
    assert (event.type, event.actor) == ("entry.published", "editor")
    assert event.entry_id is not None
    entry = Entry.objects.get(pk=event.entry_id)
    # The browser's CRLF line ends are stored as LF.
    assert entry.body == "Polls have **closed**.\n\nCounting starts."
    assert (entry.headline, entry.key_event, entry.pinned) == ("Polls close", True, False)
    page = desk_client.get(response.url)
    assert "Published" in " ".join(messages_of(page))
    assert "Counting starts." in page.content.decode()


def test_a_time_without_zone_is_read_in_the_blogs_time_zone(desk_client, blog):
    local = (timezone.now() - timedelta(hours=2)).astimezone(blog.zone).replace(tzinfo=None)
    desk_client.post(
        desk_page(blog),
        {
            "entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e002",
            "body": "Earlier report",
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    entry = Entry.objects.get(body="Earlier report")
    expected = local.replace(second=0, microsecond=0, tzinfo=blog.zone)
    assert entry.occurred_at == expected


def test_a_form_sent_twice_publishes_once(desk_client, blog):
    data = {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e003", "body": "Once only"}
    desk_client.post(desk_page(blog), data)
    second = desk_client.post(desk_page(blog), data, follow=True)
    assert Entry.objects.filter(body="Once only").count() == 1
    assert "already published" in " ".join(messages_of(second))


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_twice_at_the_same_moment_is_published_once_and_said_so(
    editor, blog, monkeypatch
):
    hold_each_append(monkeypatch)
    data = {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e004", "body": "Sent twice"}
    browsers = [Client(), Client()]  # the same form sent from two tabs
    for browser in browsers:
        browser.force_login(editor)

    def send(browser: Client) -> str:
        # The page's text, not response.context: the test client collects the templates
        # rendered by every thread.
        return browser.post(desk_page(blog), data, follow=True).content.decode()

    pages = run_together([functools.partial(send, browser) for browser in browsers])
    told = [
        ("Published: “Sent twice”" in page, "That update was already published" in page)
        for page in pages
    ]
    assert sorted(told) == [(False, True), (True, False)]
    assert Event.objects.filter(entry_id=data["entry_id"]).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": "Bell\x07"}, "invisible control character"),
        ({"body": "Tomorrow", "occurred_at": "2999-01-01T10:00"}, "in the future"),
    ],
)
def test_the_desk_refuses_bad_input_as_form_errors_and_writes_nothing(
    desk_client, blog, data, message
):
    before = blog.last_seq
    response = desk_client.post(
        desk_page(blog), {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e004", **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was published" in response.content.decode()
    assert Event.objects.filter(blog=blog).count() == before


def test_the_preview_renders_sanitized_html_and_writes_nothing(desk_client, blog):
    url = reverse("admin:liveblog_blog_preview", args=[blog.pk])
    response = desk_client.post(url, {"body": "**Bold** <script>alert(1)</script>"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    html = response.json()["html"]
    assert "<strong>Bold</strong>" in html and "<script" not in html
    assert desk_client.get(url).status_code == 405
    # Without JavaScript, the desk's Preview button renders the same on the page.
    page = desk_client.post(
        desk_page(blog),
        {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e005", "body": "_Draft_", "_preview": "1"},
    )
    assert "<em>Draft</em>" in page.content.decode()
    assert not Entry.objects.filter(blog=blog).exists()


def test_the_preview_endpoint_needs_the_csrf_token(editor, editors_group, blog):
    editor.groups.add(editors_group)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("admin:liveblog_blog_preview", args=[blog.pk])
    assert client.post(url, {"body": "x"}).status_code == 403


def test_a_draft_blogs_desk_warns_and_offers_to_open_it(desk_client, editor):
    draft = commands.blog_create(slug="storm", title="Storm", actor="editor")
    draft.members.add(editor)
    html = desk_client.get(desk_page(draft)).content.decode()
    assert "readers cannot see it yet" in html and "Open (go live)" in html


def test_the_desk_opens_its_live_channel_and_its_lists_can_be_read_again(desk_client, blog, entry):
    html = desk_client.get(desk_page(blog)).content.decode()
    assert f'data-socket="/ws/desk/{blog.slug}/"' in html
    assert 'data-doing="viewing"' in html
    assert 'id="desk-latest" data-desk-live' in html

    # A message for the editor's next page is not used up by the live script's re-reading.
    desk_client.post(
        reverse("admin:liveblog_entry_flags", args=[entry.pk]),
        {"action": "pin", "next": desk_page(blog)},
    )
    live = desk_client.get(f"{desk_page(blog)}?live=1").content.decode()
    assert 'id="desk-latest" data-desk-live' in live and "Pinned" in live
    assert "messagelist" not in live
    assert "Pinned" in " ".join(messages_of(desk_client.get(desk_page(blog))))


def test_the_correction_form_tells_the_desk_which_entry_it_corrects(desk_client, blog, entry):
    correct = reverse("admin:liveblog_entry_correct", args=[entry.pk])
    html = desk_client.get(correct).content.decode()
    assert f'data-socket="/ws/desk/{blog.slug}/"' in html
    assert 'data-doing="correcting"' in html and f'data-entry="{entry.pk}"' in html
    assert 'id="desk-live-warning"' in html
    retract = reverse("admin:liveblog_entry_retract", args=[entry.pk])
    assert 'data-doing="retracting"' in desk_client.get(retract).content.decode()
