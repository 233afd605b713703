"""Deliver one event to one subscriber: claim it, send, then move its cursor or back off.

The database decides who sends. On PostgreSQL the subscriber's row is locked (``SELECT ...
FOR UPDATE SKIP LOCKED``) for the whole attempt, so any number of processes may run the
worker: an event goes to a subscriber from one of them at a time, and a process killed
mid-delivery loses its lock with its connection, the cursor unmoved. SQLite has no row locks,
and a transaction there holds the write lock that every publish needs, so nothing is held
while sending: one process delivers (``worker`` takes a lock file) and, within it, one thread
per subscriber.

The cursor moves only after a 2xx, so delivery is at least once: a receiver may see an event
again (same ``webhook-id``) after a crash, never one out of order or missing.

The message is built at each attempt from the log and the projections, exactly as the events
API shows that event at that moment: an entry retracted since its event was appended goes
out with its text withheld, however late the subscriber comes back.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import random
import uuid
from collections.abc import Collection, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from liveblog.api.serializers import EventSerializer
from liveblog.broadcast import to_json
from liveblog.models import Blog, Event
from liveblog.webhooks import signing
from liveblog.webhooks.models import Webhook, WebhookDelivery
from liveblog.webhooks.outbound import Response, Sender
from liveblog.webhooks.subscriptions import PUBLIC_EVENT_TYPES

logger = logging.getLogger(__name__)

#: Attempts kept in each subscriber's delivery log, newest first.
LOG_SIZE = 100


class Step(enum.Enum):
    """What one call of ``deliver_next`` did."""

    DELIVERED = "delivered"  # an event was delivered: the next may follow at once
    FAILED = "failed"  # the attempt failed and is scheduled again
    IDLE = "idle"  # nothing to send now (caught up, not due, paused, or being sent elsewhere)


def due_webhooks(
    *, limit: int, exclude: Collection[uuid.UUID] = (), now: datetime | None = None
) -> list[uuid.UUID]:
    """Active subscribers of public blogs with events past their cursor, due for an attempt."""
    due = (
        Webhook.objects.filter(
            status=Webhook.Status.ACTIVE,
            next_attempt_at__lte=now or timezone.now(),
            delivered_seq__lt=F("blog__last_seq"),
        )
        .exclude(blog__status=Blog.Status.DRAFT)
        .exclude(pk__in=list(exclude))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)
    )
    return list(due[:limit])


def deliver_some(webhook_id: uuid.UUID, *, sender: Sender, limit: int = 50) -> int:
    """Deliver up to ``limit`` events to one subscriber, in order; return how many went out."""
    delivered = 0
    while delivered < limit and deliver_next(webhook_id, sender=sender) is Step.DELIVERED:
        delivered += 1
    return delivered


def deliver_next(webhook_id: uuid.UUID, *, sender: Sender) -> Step:
    """Send the subscriber the next event it wants after its cursor, if one is due."""
    with _claimed(webhook_id) as webhook:
        if webhook is None or not _is_due(webhook, timezone.now()):
            return Step.IDLE
        blog = webhook.blog
        event = (
            Event.objects.filter(
                blog_id=blog.pk,
                seq__gt=webhook.delivered_seq,
                seq__lte=blog.last_seq,
                type__in=[name for name in webhook.event_types if name in PUBLIC_EVENT_TYPES],
            )
            .order_by("seq")
            .first()
        )
        if event is None:
            # None of the events up to the blog's last seq is wanted: pass them all.
            _move_cursor(webhook, blog.last_seq)
            return Step.IDLE
        response = _send(webhook, event, sender)
        _record(webhook, event, response)
        return Step.DELIVERED if response.delivered else Step.FAILED


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before retrying after ``attempt`` failures: doubling, capped, with jitter.

    The jitter keeps receivers that failed together (one outage) from being retried in step.
    A receiver's Retry-After is honoured up to the cap.
    """
    cap = settings.LIVEBLOG_WEBHOOK_RETRY_MAX_SECONDS
    delay = min(cap, settings.LIVEBLOG_WEBHOOK_RETRY_FIRST_SECONDS * 2 ** min(attempt - 1, 30))
    delay *= random.uniform(0.8, 1.0)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay


@contextlib.contextmanager
def _claimed(webhook_id: uuid.UUID) -> Iterator[Webhook | None]:
    """The subscriber, held by this thread for one attempt; None if gone or held elsewhere."""
    webhooks = Webhook.objects.select_related("blog").filter(pk=webhook_id)
    if not connection.features.has_select_for_update_skip_locked:
        yield webhooks.first()  # SQLite: the worker's lock file makes this the only sender
        return
    with transaction.atomic():
        # of=self: the blog's row stays free for editors appending to it.
        yield webhooks.select_for_update(skip_locked=True, of=("self",)).first()


def _is_due(webhook: Webhook, now: datetime) -> bool:
    return (
        webhook.is_active
        and webhook.blog.is_public
        and webhook.next_attempt_at <= now
        and webhook.delivered_seq < webhook.blog.last_seq
    )


def _send(webhook: Webhook, event: Event, sender: Sender) -> Response:
    msg_id = signing.message_id(event.blog_id, event.seq)
    try:
        body = to_json(EventSerializer.represent(event))
    except Exception:  # our fault, not the receiver's: logged, and retried like a failure
        logger.exception("Could not build webhook message %s for %s", msg_id, webhook.url)
        return Response(None, error="liveblog could not build this message (see its log)")
    headers = signing.signed_headers(secret=webhook.secret, msg_id=msg_id, body=body)
    return sender.post(webhook.url, body.encode(), headers)


def _move_cursor(webhook: Webhook, seq: int) -> None:
    Webhook.objects.filter(pk=webhook.pk, delivered_seq=webhook.delivered_seq).update(
        delivered_seq=seq
    )


def _record(webhook: Webhook, event: Event, response: Response) -> None:
    """Move the cursor past a delivered event, or schedule the retry; log the attempt."""
    now = timezone.now()
    attempt = webhook.attempts + 1
    if response.delivered:
        changes: dict[str, object] = {
            "delivered_seq": event.seq,
            "last_delivered_at": now,
            "attempts": 0,
            "failing_since": None,
            "next_attempt_at": now,
            "last_error": "",
        }
    else:
        failing_since = webhook.failing_since or now
        changes = {
            # Unwanted events before this one are passed; this one waits for its retry.
            "delivered_seq": event.seq - 1,
            "attempts": attempt,
            "failing_since": failing_since,
            "last_error": response.error,
            "next_attempt_at": now + timedelta(seconds=retry_delay(attempt, response.retry_after)),
        }
        reason = _pause_reason(response, failing_since, now)
        if reason:
            changes.update(status=Webhook.Status.PAUSED, paused_reason=reason)
            logger.warning("Webhook %s to %s paused: %s", webhook.pk, webhook.url, reason)
    with transaction.atomic():
        # Guarded by the cursor read at the claim: an editor may have removed the subscriber
        # while we sent (SQLite), and then there is nothing to record.
        moved = Webhook.objects.filter(pk=webhook.pk, delivered_seq=webhook.delivered_seq)
        if not moved.update(**changes):
            return
        WebhookDelivery.objects.create(
            webhook_id=webhook.pk,
            seq=event.seq,
            event_type=event.type,
            message_id=signing.message_id(event.blog_id, event.seq),
            attempt=attempt,
            attempted_at=now,
            duration_ms=round(response.seconds * 1000),
            status_code=response.status,
            error=response.error,
        )
        _prune_log(webhook.pk)


def _pause_reason(response: Response, failing_since: datetime, now: datetime) -> str:
    if response.gone:
        return (
            "The receiver answered 410 Gone: it wants no more webhooks. Resume once it "
            "does; it will get every event since, in order."
        )
    failing_for = now - failing_since
    if failing_for.total_seconds() < settings.LIVEBLOG_WEBHOOK_PAUSE_AFTER_SECONDS:
        return ""
    return (
        f"Every delivery failed for {_duration(failing_for)} (since "
        f"{failing_since:%Y-%m-%d %H:%M} UTC); the last: {response.error}. Fix the receiver, "
        "then resume: it will get every event it missed, in order."
    )


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def _prune_log(webhook_id: uuid.UUID) -> None:
    log = WebhookDelivery.objects.filter(webhook_id=webhook_id)
    oldest_kept = log.order_by("-id").values_list("id", flat=True)[LOG_SIZE - 1 : LOG_SIZE]
    cutoff = list(oldest_kept)
    if cutoff:
        log.filter(id__lt=cutoff[0]).delete()
