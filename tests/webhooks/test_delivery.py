"""Delivery: each subscriber gets the blog's public events in seq order, signed, at least once,
as the events API shows them; failures are retried with backoff, long ones pause."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks import Webhook as StandardWebhook

from liveblog import commands, selectors
from liveblog.api.serializers import EventSerializer
from liveblog.broadcast import to_json
from liveblog.models import Blog
from liveblog.webhooks import delivery
from liveblog.webhooks.delivery import Step
from liveblog.webhooks.models import Webhook, WebhookDelivery
from liveblog.webhooks.outbound import Sender
from tests.webhooks.conftest import register
from tests.webhooks.receivers import Receiver

pytestmark = pytest.mark.django_db


def _drain(webhook: Webhook, sender: Sender, *, rounds: int = 200) -> list[Step]:
    """Run deliveries for one subscriber until it has nothing due; returns the steps taken."""
    steps = []
    for _ in range(rounds):
        step = delivery.deliver_next(webhook.pk, sender=sender)
        steps.append(step)
        if step is Step.IDLE:
            break
        if step is Step.FAILED:
            time.sleep(0.06)  # past the (test-sized) backoff
    return steps


def _publish(blog: Blog, count: int, start: int = 0) -> list[int]:
    entries = [
        commands.entry_publish(blog=blog, body=f"Update {n}", actor="editor")
        for n in range(start, start + count)
    ]
    return [entry.published_seq for entry in entries]


def test_events_arrive_in_seq_order_signed_and_as_the_events_api_shows_them(
    blog: Blog, receiver: Receiver, sender: Sender
) -> None:
    webhook, secret = register(blog, receiver)
    seqs = _publish(blog, 3)
    entry = selectors.entries_for_blog(blog).get(published_seq=seqs[0])
    commands.entry_pin(entry=entry, actor="editor")

    _drain(webhook, sender)

    assert receiver.seqs() == [*seqs, seqs[-1] + 1]
    api = {
        data["seq"]: data
        for data in EventSerializer.represent_many(list(selectors.events_after(blog, 0)))
    }
    verifier = StandardWebhook(secret)
    for request in receiver.received:
        # Any Standard Webhooks library accepts it, and the body is the events API's JSON.
        assert verifier.verify(request.body, request.headers) == api[request.seq]
        assert request.body == to_json(api[request.seq]).encode()
        assert request.headers["webhook-id"] == f"msg_{blog.pk}_{request.seq}"
        assert request.headers["content-type"] == "application/json"
    webhook.refresh_from_db()
    assert webhook.delivered_seq == Blog.objects.get(pk=blog.pk).last_seq == seqs[-1] + 1


def test_a_signature_made_with_another_secret_is_refused_by_receivers(
    blog: Blog, receiver: Receiver, sender: Sender
) -> None:
    webhook, _ = register(blog, receiver)
    other, _ = register(blog, Receiver())
    _publish(blog, 1)
    _drain(webhook, sender)
    [request] = receiver.received
    from standardwebhooks import WebhookVerificationError

    with pytest.raises(WebhookVerificationError):
        StandardWebhook(other.secret).verify(request.body, request.headers)


def test_only_the_chosen_event_types_are_sent_and_the_others_are_passed(
    blog: Blog, receiver: Receiver, sender: Sender
) -> None:
    webhook, _ = register(blog, receiver, events=["entry.retracted"])
    _publish(blog, 1)
    entry = selectors.entries_for_blog(blog).get()
    commands.entry_pin(entry=entry, actor="editor")
    retracted = commands.entry_retract(entry=entry, reason="Wrong town", actor="editor")

    _drain(webhook, sender)

    assert [r.message["type"] for r in receiver.received] == ["entry.retracted"]
    assert receiver.seqs() == [retracted.last_seq]
    _publish(blog, 1, start=1)
    assert delivery.due_webhooks(limit=10) == [webhook.pk]
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.IDLE
    webhook.refresh_from_db()
    assert webhook.delivered_seq == Blog.objects.get(pk=blog.pk).last_seq
    assert len(receiver.received) == 1
    assert delivery.due_webhooks(limit=10) == []


def test_a_subscriber_gets_the_events_appended_after_it_registered(
    blog: Blog, receiver: Receiver, sender: Sender
) -> None:
    _publish(blog, 2)
    webhook, _ = register(blog, receiver)
    later = _publish(blog, 1, start=2)
    _drain(webhook, sender)
    assert receiver.seqs() == later


def _time_passes(webhook: Webhook) -> None:
    """Make the subscriber's retry due now, as if its backoff had passed."""
    Webhook.objects.filter(pk=webhook.pk).update(next_attempt_at=timezone.now())


def test_a_failing_receiver_is_retried_with_backoff_and_gets_everything_in_order(
    blog: Blog, receiver: Receiver, sender: Sender, settings: Any
) -> None:
    settings.LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS = 60
    settings.LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS = 300
    webhook, _ = register(blog, receiver)
    seqs = _publish(blog, 3)
    receiver.status = 503
    receiver.headers = {"Retry-After": "0"}
    receiver.answer = b"<h1>Service Unavailable</h1> back soon"

    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.FAILED
    webhook.refresh_from_db()
    assert webhook.attempts == 1 and webhook.failing_since is not None
    assert webhook.last_error == "HTTP 503: <h1>Service Unavailable</h1> back soon"
    assert 47 < (webhook.next_attempt_at - webhook.failing_since).total_seconds() < 61
    # Not due again until the backoff has passed.
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.IDLE
    assert delivery.due_webhooks(limit=10) == []
    _time_passes(webhook)
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.FAILED
    webhook.refresh_from_db()
    assert 95 < (webhook.next_attempt_at - timezone.now()).total_seconds() < 121

    receiver.status = 200
    _time_passes(webhook)
    _drain(webhook, sender)

    # The first event was tried three times (same webhook-id), then everything, in order.
    assert receiver.seqs() == [seqs[0], seqs[0], *seqs]
    ids = {r.headers["webhook-id"] for r in receiver.received[:3]}
    assert ids == {f"msg_{blog.pk}_{seqs[0]}"}
    webhook.refresh_from_db()
    assert (webhook.attempts, webhook.failing_since, webhook.last_error) == (0, None, "")
    log = list(WebhookDelivery.objects.filter(webhook=webhook).order_by("id"))
    assert [(d.seq, d.attempt, d.status_code, d.delivered) for d in log] == [
        (seqs[0], 1, 503, False),
        (seqs[0], 2, 503, False),
        (seqs[0], 3, 200, True),
        (seqs[1], 1, 200, True),
        (seqs[2], 1, 200, True),
    ]


def test_a_receiver_that_is_down_gets_everything_it_missed_when_it_returns(
    blog: Blog, sender: Sender
) -> None:
    receiver = Receiver()  # not started: connections are refused
    webhook, _ = register(blog, receiver)
    seqs = _publish(blog, 5)
    assert _drain(webhook, sender, rounds=3) == [Step.FAILED] * 3
    webhook.refresh_from_db()
    assert webhook.last_error.startswith("could not connect")
    receiver.start()
    try:
        _drain(webhook, sender)
    finally:
        receiver.stop()
    assert receiver.seqs() == seqs


def test_a_hanging_receiver_times_out_and_is_retried(
    blog: Blog, receiver: Receiver, settings: Any
) -> None:
    settings.LIVEBLOG_WEBHOOK_TIMEOUT_SECONDS = 0.5
    sender = Sender(timeout=0.5, allow_private=True)
    webhook, _ = register(blog, receiver)
    seqs = _publish(blog, 2)
    receiver.hanging = True
    started = time.monotonic()
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.FAILED
    assert time.monotonic() - started < 2
    webhook.refresh_from_db()
    assert webhook.last_error == "no answer within 0.5 s"
    receiver.release()
    time.sleep(0.06)
    _drain(webhook, sender)
    sender.close()
    assert receiver.seqs() == [seqs[0], *seqs]


def test_a_410_pauses_the_webhook_at_once(blog: Blog, receiver: Receiver, sender: Sender) -> None:
    webhook, _ = register(blog, receiver)
    _publish(blog, 2)
    receiver.status = 410
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.FAILED
    webhook.refresh_from_db()
    assert webhook.status == Webhook.Status.PAUSED
    assert "410 Gone" in webhook.paused_reason
    time.sleep(0.06)
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.IDLE
    assert delivery.due_webhooks(limit=10) == []


def test_after_a_long_failure_it_is_paused_with_the_reason_and_a_resume_sends_the_rest(
    blog: Blog, receiver: Receiver, sender: Sender, settings: Any
) -> None:
    from liveblog.webhooks import subscriptions

    settings.LIVEBLOG_WEBHOOK_PAUSE_AFTER_SECONDS = 0.3
    webhook, _ = register(blog, receiver)
    seqs = _publish(blog, 2)
    receiver.status = 500
    deadline = time.monotonic() + 5
    while webhook.is_active and time.monotonic() < deadline:
        delivery.deliver_next(webhook.pk, sender=sender)
        time.sleep(0.06)
        webhook.refresh_from_db()
    assert webhook.status == Webhook.Status.PAUSED
    assert webhook.paused_reason.startswith("Every delivery failed for 0 seconds")
    assert "the last: HTTP 500" in webhook.paused_reason
    attempts = len(receiver.received)
    more = _publish(blog, 1, start=2)
    time.sleep(0.06)
    assert delivery.due_webhooks(limit=10) == []
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.IDLE
    assert len(receiver.received) == attempts

    receiver.status = 200
    subscriptions.webhook_resume(webhook=webhook)
    assert delivery.due_webhooks(limit=10) == [webhook.pk]
    _drain(webhook, sender)
    assert receiver.seqs()[attempts:] == [*seqs, *more]


def test_a_retraction_s_text_is_never_sent_after_the_retraction(blog: Blog, sender: Sender) -> None:
    receiver = Receiver()
    webhook, _ = register(blog, receiver)
    entry = commands.entry_publish(
        blog=blog, body="The minister has resigned.", headline="Resigned", actor="editor"
    )
    commands.entry_correct(
        entry=entry,
        body="The minister has resigned, aides say.",
        reason="Sourcing",
        based_on_revision=1,
        actor="editor",
    )
    commands.entry_retract(entry=entry, reason="Not confirmed", actor="editor")
    receiver.start()  # the subscriber was down the whole time
    try:
        _drain(webhook, sender)
    finally:
        receiver.stop()

    types = [r.message["type"] for r in receiver.received]
    assert types == ["entry.published", "entry.corrected", "entry.retracted"]
    for request in receiver.received:
        text = request.body.decode()
        assert "resigned" not in text.lower() and "Resigned" not in text
        assert request.message["entry"]["status"] == "retracted"
        assert request.message["entry"]["retraction_reason"] == "Not confirmed"


def test_a_draft_blog_s_events_wait_until_it_goes_live(
    editor: Any, receiver: Receiver, sender: Sender
) -> None:
    draft = commands.blog_create(slug="budget", title="Budget", actor="editor")
    webhook, _ = register(draft, receiver)
    entry = commands.entry_publish(blog=draft, body="Embargoed until 10:00", actor="editor")
    assert delivery.due_webhooks(limit=10) == []
    assert delivery.deliver_next(webhook.pk, sender=sender) is Step.IDLE
    assert receiver.received == []

    opened = commands.blog_open(blog=draft, actor="editor")
    _drain(webhook, sender)
    # Once public, the blog's events are what the events API shows from then on.
    assert receiver.seqs() == [entry.published_seq, opened.last_seq]
    assert [r.message["type"] for r in receiver.received] == ["entry.published", "blog.opened"]


def test_a_subscriber_removed_during_a_delivery_is_left_alone(
    blog: Blog, receiver: Receiver
) -> None:
    from liveblog.webhooks import subscriptions

    webhook, _ = register(blog, receiver)
    _publish(blog, 1)

    class RemovingSender(Sender):
        def post(self, *args: Any, **kwargs: Any) -> Any:
            answer = super().post(*args, **kwargs)
            subscriptions.webhook_delete(webhook=webhook)
            return answer

    sender = RemovingSender(timeout=2, allow_private=True)
    try:
        assert delivery.deliver_next(webhook.pk, sender=sender) is Step.DELIVERED
    finally:
        sender.close()
    assert not Webhook.objects.filter(pk=webhook.pk).exists()
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_keeps_the_latest_attempts(
    blog: Blog, receiver: Receiver, sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "LOG_SIZE", 3)
    webhook, _ = register(blog, receiver)
    seqs = _publish(blog, 5)
    _drain(webhook, sender)
    kept = WebhookDelivery.objects.filter(webhook=webhook).order_by("id")
    assert [d.seq for d in kept] == seqs[-3:]


def test_retries_back_off_exponentially_up_to_the_cap(settings: Any) -> None:
    settings.LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS = 2
    settings.LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS = 300
    delays = [delivery.retry_delay(attempt) for attempt in range(1, 12)]
    assert 1.6 <= delays[0] <= 2 and 3.2 <= delays[1] <= 4 and 6.4 <= delays[2] <= 8
    assert 240 <= delays[-1] <= 300
    # A receiver's Retry-After is honoured, up to the cap.
    assert delivery.retry_delay(1, retry_after=60) == 60
    assert delivery.retry_delay(1, retry_after=10_000) == 300


def test_messages_are_the_events_api_json_exactly(blog: Blog) -> None:
    # The webhook body is the push channel's text: one shape for every public path.
    commands.entry_publish(blog=blog, body="Polls close", actor="editor")
    data = EventSerializer.represent_many(list(selectors.events_after(blog, 0)))[-1]
    assert json.loads(to_json(data)) == data
