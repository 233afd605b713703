"""The admin's webhook screens: a blog's editors register (secret shown once), see the delivery
log and why a webhook is paused, pause, resume and remove; nobody else sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from liveblog import commands
from liveblog.models import Blog
from liveblog.webhooks import subscriptions
from liveblog.webhooks.models import Webhook
from tests.webhooks.conftest import Paused

pytestmark = pytest.mark.django_db

URL = "https://partner.example/hooks/live"
ADD = reverse("admin:liveblog_webhook_add")
LIST = reverse("admin:liveblog_webhook_changelist")


@pytest.fixture(autouse=True)
def _public_addresses_only(settings: Any) -> None:
    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def desk(client: Client, editor: Any) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def other_blog() -> Blog:
    return commands.blog_create(slug="other-desk", title="Another desk's blog", actor="someone")


def _change(webhook: Webhook) -> str:
    return reverse("admin:liveblog_webhook_change", args=[webhook.pk])


def test_registering_shows_the_secret_in_the_page_only(desk: Client, blog: Blog) -> None:
    response = desk.post(
        ADD, {"blog": blog.pk, "url": URL, "events": ["entry.published", "entry.corrected"]}
    )
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert (webhook.url, webhook.event_types) == (URL, ["entry.corrected", "entry.published"])
    assert webhook.created_by is not None and webhook.created_by.username == "editor"
    assert webhook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Not in a message (a cookie), and never shown again.
    assert webhook.secret not in str(response.cookies)
    page = desk.get(_change(webhook)).content.decode()
    assert webhook.secret not in page and webhook.secret[:10] in page


def test_refusals_are_form_errors(desk: Client, blog: Blog) -> None:
    response = desk.post(
        ADD, {"blog": blog.pk, "url": "http://169.254.169.254/", "events": ["entry.published"]}
    )
    assert response.status_code == 200
    assert "only sent to the public internet" in response.content.decode()
    assert not Webhook.objects.exists()


def test_registering_the_same_url_twice_is_a_form_error(desk: Client, blog: Blog) -> None:
    subscriptions.webhook_create(blog=blog, url=URL)
    response = desk.post(ADD, {"blog": blog.pk, "url": URL, "events": ["entry.published"]})
    assert response.status_code == 200
    assert "This blog already sends webhooks to this URL." in response.content.decode()
    assert Webhook.objects.count() == 1


def test_editors_register_only_on_their_blogs_and_see_only_their_webhooks(
    desk: Client, blog: Blog, other_blog: Blog
) -> None:
    form = desk.get(ADD).content.decode()
    assert blog.title in form and other_blog.title not in form
    response = desk.post(ADD, {"blog": other_blog.pk, "url": URL, "events": ["blog.opened"]})
    assert "Select a valid choice" in response.content.decode()
    theirs, _ = subscriptions.webhook_create(blog=other_blog, url=URL)
    ours, _ = subscriptions.webhook_create(blog=blog, url=URL + "/ours")
    listing = desk.get(LIST).content.decode()
    assert ours.url in listing and f"{URL}<" not in listing
    assert desk.get(_change(theirs)).status_code in (302, 404)
    assert desk.post(reverse("admin:liveblog_webhook_resume", args=[theirs.pk])).status_code == 404


def test_a_paused_webhook_shows_why_and_its_log_and_resumes(desk: Client, paused: Paused) -> None:
    webhook = paused.webhook
    page = desk.get(_change(webhook)).content.decode()
    assert "Deliveries to this URL are paused" in page and paused.reason in page
    assert "Delivery log (newest first)" in page and "HTTP 500: oops" in page
    assert "Paused</strong>" in desk.get(LIST).content.decode()

    resume = reverse("admin:liveblog_webhook_resume", args=[webhook.pk])
    assert desk.get(resume).status_code == 405
    assert desk.post(resume).status_code == 302
    webhook.refresh_from_db()
    assert webhook.is_active and webhook.paused_reason == ""


def test_pause_and_delete_from_the_list(desk: Client, blog: Blog) -> None:
    webhook, _ = subscriptions.webhook_create(blog=blog, url=URL)
    desk.post(LIST, {"action": "pause_webhooks", "_selected_action": [str(webhook.pk)]})
    webhook.refresh_from_db()
    assert not webhook.is_active and webhook.paused_reason.startswith("Paused by editor at ")
    delete = reverse("admin:liveblog_webhook_delete", args=[webhook.pk])
    assert desk.post(delete, {"post": "yes"}).status_code == 302
    assert not Webhook.objects.exists()
