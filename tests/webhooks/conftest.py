"""Webhook fixtures: receivers on 127.0.0.1 (allowed here), fast retries, a sender."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from liveblog import commands
from liveblog.models import Blog, Entry
from liveblog.webhooks import subscriptions
from liveblog.webhooks.models import Webhook, WebhookDelivery
from liveblog.webhooks.outbound import Sender
from tests.api.conftest import (  # noqa: F401 - the API's client fixtures, shared
    anon,
    draft,
    outsider,
    outsider_client,
    token_client,
)
from tests.webhooks.receivers import Receiver


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> None:
    # Receivers are on 127.0.0.1, which production refuses; retries are quick.
    settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE = True
    settings.LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS = 2.0
    settings.LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS = 0.01
    settings.LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS = 0.05
    settings.LIVEBLOG_WEBHOOK_POLL_SECONDS = 0.05


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def sender(settings: Any) -> Iterator[Sender]:
    sender = Sender(timeout=settings.LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS, allow_private=True)
    yield sender
    sender.close()


@dataclasses.dataclass(frozen=True)
class Paused:
    webhook: Webhook
    entry: Entry
    delivery: WebhookDelivery
    reason: str


@pytest.fixture
def paused(blog: Blog) -> Paused:
    """A webhook whose deliveries of a published entry failed until it was paused."""
    webhook, _ = subscriptions.webhook_create(blog=blog, url="https://partner.example/hooks/live")
    entry = commands.entry_publish(blog=blog, body="Polls close", actor="editor")
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        seq=entry.published_seq,
        event_type="entry.published",
        message_id=f"msg_{blog.pk}_{entry.published_seq}",
        attempt=7,
        attempted_at=entry.published_at,
        duration_ms=15000,
        status_code=500,
        error="HTTP 500: oops",
    )
    reason = "Every delivery failed for 24 hours (since ...); the last: HTTP 500: oops."
    subscriptions.webhook_pause(webhook=webhook, reason=reason)
    return Paused(webhook, entry, delivery, reason)


def register(
    blog: Blog, receiver: Receiver, events: list[str] | None = None
) -> tuple[Webhook, str]:
    """A webhook of ``blog`` to ``receiver``; returns it and its secret."""
    return subscriptions.webhook_create(blog=blog, url=receiver.url, event_types=events)
