"""A contributor never publishes directly: not from the desk, not by starting a blog of their
own, not by opening one, not through webhooks or the API (``access.may_start_blog``)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from liveblog import access
from liveblog.api import tokens
from liveblog.models import Blog, DeskEntry, Entry
from liveblog.webhooks.models import Webhook
from tests.admin.pages import desk_page, messages_of, publish_from_desk

pytestmark = pytest.mark.django_db


def test_a_contributor_cannot_create_a_blog_in_the_admin(contributor_client: Client) -> None:
    add = reverse("admin:liveblog_blog_add")
    assert contributor_client.get(add).status_code == 403
    sent = contributor_client.post(
        add, {"slug": "mine", "title": "Mine", "description": "", "time_zone": "UTC"}
    )
    assert sent.status_code == 403
    assert not Blog.objects.filter(slug="mine").exists()
    index = contributor_client.get(reverse("admin:index")).content.decode()
    assert 'href="/admin/liveblog/blog/add/"' not in index


def test_an_editor_of_some_blog_still_creates_blogs(contributor, desk_client: Client) -> None:
    # The editor fixture edits the blog; one contributor elsewhere does not change that.
    assert access.may_start_blog(contributor) is False
    assert desk_client.get(reverse("admin:liveblog_blog_add")).status_code == 200


def test_a_contributor_s_desk_submits_and_never_publishes(
    contributor_client: Client, blog: Blog
) -> None:
    page = contributor_client.get(desk_page(blog)).content.decode()
    assert "Submit for approval" in page and 'value="Publish"' not in page
    sent = publish_from_desk(contributor_client, blog, "Shelling near Goris", follow=True)
    assert sent.status_code == 200
    assert not Entry.objects.filter(blog=blog).exists()
    assert DeskEntry.objects.get(blog=blog).status == DeskEntry.Status.SUBMITTED
    assert any("approval" in message for message in messages_of(sent))


def test_a_contributor_cannot_open_or_close_the_blog(
    contributor_client: Client, blog: Blog
) -> None:
    status = reverse("admin:liveblog_blog_status", args=[blog.pk])
    assert contributor_client.post(status, {"action": "close"}).status_code == 403
    changelist = reverse("admin:liveblog_blog_changelist")
    sent = contributor_client.post(
        changelist,
        {"action": "close_blogs", "_selected_action": [blog.pk], "confirmed": "yes"},
        follow=True,
    )
    blog.refresh_from_db()
    assert blog.status == Blog.Status.LIVE
    assert sent.status_code == 403 or any("editors" in m for m in messages_of(sent))


def test_a_contributor_has_no_webhooks(contributor_client: Client, blog: Blog) -> None:
    index = contributor_client.get(reverse("admin:index")).content.decode()
    assert "/admin/liveblog/webhook/add/" not in index
    assert contributor_client.get(reverse("admin:liveblog_webhook_add")).status_code == 403
    sent = contributor_client.post(
        reverse("admin:liveblog_webhook_add"),
        {"blog": blog.pk, "url": "https://example.org/hook", "events": ["entry.published"]},
    )
    assert sent.status_code == 403
    assert not Webhook.objects.exists()


def test_a_contributor_never_publishes_through_the_api(contributor, blog: Blog) -> None:
    api = APIClient()
    _, key = tokens.token_create(user=contributor, name="phone")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    sent = api.post(f"/api/blogs/{blog.slug}/entries/", {"body": "Now!"}, format="json")
    assert sent.status_code == 201 and sent.json()["status"] == "submitted"
    item = sent.json()["id"]
    assert api.post(f"/api/blogs/{blog.slug}/entries/{item}/publish/").status_code == 403
    assert not Entry.objects.filter(blog=blog).exists()
