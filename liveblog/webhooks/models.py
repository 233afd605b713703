"""Webhook subscribers and their delivery log.

A subscriber is not part of a blog's history, so it is a plain row rather than events (like
an API token); ``liveblog.webhooks.subscriptions`` is the only code that creates or changes
one and ``liveblog.webhooks.delivery`` the only code that moves its cursor.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from liveblog.models import Blog


class Webhook(models.Model):
    """A URL that receives a blog's public events, with its own cursor in the blog's log."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("URL", max_length=2000)
    event_types = models.JSONField(default=list, help_text="The event types it receives.")
    # Needed in clear to sign each message; shown to its owners once, when it is created.
    secret = models.CharField(max_length=100, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The cursor: every event of the blog up to this seq was delivered (or is not wanted).
    delivered_seq = models.PositiveBigIntegerField(default=0, editable=False)
    last_delivered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The retry state of the event after the cursor.
    attempts = models.PositiveIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(default=timezone.now, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["blog", "created_at"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one subscriber: what it got back, or why not."""

    # Indexed by the composite index below, which starts with the webhook.
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    event_type = models.CharField(max_length=64)
    message_id = models.CharField(max_length=64)
    attempt = models.PositiveIntegerField(help_text="1 for the first try of this event.")
    attempted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField("duration (ms)")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Empty when the event was delivered.")

    class Meta:
        ordering = ["webhook", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["webhook", "-id"], name="liveblog_webhook_log")]

    def __str__(self) -> str:
        return f"{self.message_id} attempt {self.attempt}"

    @property
    def delivered(self) -> bool:
        return not self.error
