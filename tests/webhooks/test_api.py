"""``/api/blogs/<slug>/webhooks/``: a blog's editors register, list, inspect, resume, remove."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from liveblog.models import Blog
from liveblog.webhooks import subscriptions
from liveblog.webhooks.models import Webhook
from tests.webhooks.conftest import Paused

pytestmark = pytest.mark.django_db

URL = "https://partner.example/hooks/live"


@pytest.fixture(autouse=True)
def _public_addresses_only(settings: Any) -> None:
    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = False  # the production default


def _list(slug: str) -> str:
    return f"/api/blogs/{slug}/webhooks/"


def test_registering_answers_201_with_the_secret_shown_once(
    token_client: APIClient, blog: Blog
) -> None:
    response = token_client.post(
        _list(blog.slug), {"url": URL, "events": ["entry.published", "entry.retracted"]}
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    webhook = Webhook.objects.get()
    assert data["secret"] == webhook.secret and data["secret"].startswith("whsec_")
    assert data["id"] == str(webhook.pk)
    assert data["url"] == URL and data["events"] == ["entry.published", "entry.retracted"]
    assert data["status"] == "active" and data["delivered_seq"] == blog.last_seq
    assert response["Location"].endswith(f"/api/blogs/{blog.slug}/webhooks/{webhook.pk}/")
    assert response["Cache-Control"] == "no-store"
    # Never again: not in the list, not in the webhook's own page.
    listed = token_client.get(_list(blog.slug)).json()["results"]
    one = token_client.get(response["Location"]).json()
    assert "secret" not in listed[0] and "secret" not in one
    assert webhook.secret not in str(listed) + str(one)


def test_without_events_it_receives_every_public_event_type(
    token_client: APIClient, blog: Blog
) -> None:
    response = token_client.post(_list(blog.slug), {"url": URL})
    assert response.status_code == 201
    assert response.json()["events"] == list(subscriptions.PUBLIC_EVENT_TYPES)
    assert all(name.startswith(("blog.", "entry.")) for name in response.json()["events"])


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "http://127.0.0.1:8000/"}, "url", "public internet"),
        ({"url": "http://10.0.0.7/hooks"}, "url", "public internet"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "url", "public internet"),
        ({"url": "http://[::1]/"}, "url", "public internet"),
        ({"url": "http://localhost:9000/"}, "url", "this machine"),
        ({"url": "ftp://partner.example/"}, "url", "URL"),
        ({"url": "https://user:pw@partner.example/"}, "url", "credentials"),
        ({"url": URL, "events": []}, "events", "empty"),
        ({"url": URL, "events": ["entry.exploded"]}, "events.0", "valid choice"),
        ({"url": URL, "events": "entry.published"}, "events", "list"),
        ({}, "url", "required"),
    ],
)
def test_bad_registrations_are_400_and_save_nothing(
    token_client: APIClient, blog: Blog, body: dict[str, Any], field: str, words: str
) -> None:
    response = token_client.post(_list(blog.slug), body)
    assert response.status_code == 400, response.json()
    error = response.json()
    assert error["code"] == "invalid"
    assert words.lower() in " ".join(error["errors"][field]).lower(), error
    assert not Webhook.objects.exists()


def test_the_same_url_twice_and_too_many_webhooks_are_refused(
    token_client: APIClient, blog: Blog, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert token_client.post(_list(blog.slug), {"url": URL}).status_code == 201
    again = token_client.post(_list(blog.slug), {"url": URL})
    assert again.status_code == 400 and "already" in again.json()["errors"]["url"][0]
    monkeypatch.setattr(subscriptions, "MAX_WEBHOOKS_PER_BLOG", 1)
    more = token_client.post(_list(blog.slug), {"url": URL + "/other"})
    assert more.status_code == 400 and "remove one" in more.json()["message"]
    assert Webhook.objects.count() == 1


def test_private_addresses_are_accepted_when_the_setting_allows_them(
    token_client: APIClient, blog: Blog, settings: Any
) -> None:
    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = True
    response = token_client.post(_list(blog.slug), {"url": "http://127.0.0.1:8000/hooks"})
    assert response.status_code == 201


def test_the_list_and_a_webhook_show_where_it_is_and_what_went_wrong(
    token_client: APIClient, blog: Blog, paused: Paused
) -> None:
    [listed] = token_client.get(_list(blog.slug)).json()["results"]
    assert listed["status"] == "paused"
    assert listed["paused_reason"] == paused.reason
    one = token_client.get(f"{_list(blog.slug)}{paused.webhook.pk}/").json()
    entry = paused.entry
    assert entry.published_at
    assert one["deliveries"] == [
        {
            "seq": entry.published_seq,
            "type": "entry.published",
            "webhook_id": f"msg_{blog.pk}_{entry.published_seq}",
            "attempt": 7,
            "attempted_at": entry.published_at.isoformat(),
            "duration_ms": 15000,
            "status_code": 500,
            "error": "HTTP 500: oops",
        }
    ]


def test_resume_and_delete(token_client: APIClient, blog: Blog) -> None:
    webhook, _ = subscriptions.webhook_create(blog=blog, url=URL)
    subscriptions.webhook_pause(webhook=webhook, reason="Paused by editor")
    resumed = token_client.post(f"{_list(blog.slug)}{webhook.pk}/resume/")
    assert resumed.status_code == 200
    assert (resumed.json()["status"], resumed.json()["paused_reason"]) == ("active", "")
    deleted = token_client.delete(f"{_list(blog.slug)}{webhook.pk}/")
    assert deleted.status_code == 204
    assert not Webhook.objects.exists()
    assert token_client.delete(f"{_list(blog.slug)}{webhook.pk}/").status_code == 404


def test_only_the_blog_s_editors_see_or_touch_its_webhooks(
    anon: APIClient, outsider_client: APIClient, token_client: APIClient, blog: Blog, draft: Blog
) -> None:
    webhook, _ = subscriptions.webhook_create(blog=blog, url=URL)
    one = f"{_list(blog.slug)}{webhook.pk}/"
    for client, status in ((anon, 401), (outsider_client, 403)):
        assert client.get(_list(blog.slug)).status_code == status
        assert client.post(_list(blog.slug), {"url": URL + "/x"}).status_code == status
        assert client.get(one).status_code == status
        assert client.delete(one).status_code == status
        assert client.post(f"{one}resume/").status_code == status
    assert outsider_client.get(_list(draft.slug)).status_code == 404
    assert Webhook.objects.count() == 1
    # Members register on their drafts too: deliveries start when the blog goes live.
    assert token_client.post(_list(draft.slug), {"url": URL}).status_code == 201
    other_blogs_webhook = f"{_list(draft.slug)}{webhook.pk}/"
    assert token_client.get(other_blogs_webhook).status_code == 404


def test_a_webhook_s_json_has_exactly_its_documented_shape(
    token_client: APIClient, blog: Blog
) -> None:
    # The serializer is the one owner of this shape: partners' tools read these keys.
    webhook, _ = subscriptions.webhook_create(blog=blog, url=URL, event_types=["entry.published"])
    Webhook.objects.filter(pk=webhook.pk).update(attempts=2, last_error="HTTP 503: busy")
    webhook.refresh_from_db()
    failing = {
        "id": str(webhook.pk),
        "url": URL,
        "events": ["entry.published"],
        "status": "active",
        "paused_reason": "",
        "created_at": webhook.created_at.isoformat(),
        "delivered_seq": blog.last_seq,
        "last_delivered_at": None,
        "failed_attempts": 2,
        "next_attempt_at": webhook.next_attempt_at.isoformat(),
        "last_error": "HTTP 503: busy",
    }
    one = token_client.get(f"{_list(blog.slug)}{webhook.pk}/").json()
    assert list(one) == [*failing, "deliveries"]
    assert {key: one[key] for key in failing} == failing
    assert token_client.get(_list(blog.slug)).json()["results"] == [failing]

    # Nothing failed: nothing waits to be tried again, whatever the row's default says.
    Webhook.objects.filter(pk=webhook.pk).update(attempts=0, last_error="")
    [healthy] = token_client.get(_list(blog.slug)).json()["results"]
    assert healthy == {**failing, "failed_attempts": 0, "next_attempt_at": None, "last_error": ""}
