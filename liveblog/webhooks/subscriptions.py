"""Register, change, pause, resume and remove a blog's webhook subscribers.

The API and the admin both call these, so both accept and refuse the same things. Only
``liveblog.webhooks.delivery`` moves a subscriber's cursor and retry state.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from liveblog import events
from liveblog.errors import LiveblogError
from liveblog.models import Blog
from liveblog.webhooks import signing
from liveblog.webhooks.models import Webhook
from liveblog.webhooks.outbound import address_refusal

#: What a subscriber may receive: every event type readers see, and nothing else (never the
#: desk's private events, nor media.uploaded).
PUBLIC_EVENT_TYPES = tuple(
    sorted(t for t in events.PUBLIC_TYPES if t.startswith(("blog.", "entry.")))
)
#: Each subscriber costs a request per event; a blog's partners fit well within this.
MAX_WEBHOOKS_PER_BLOG = 20
MAX_URL_LENGTH = Webhook._meta.get_field("url").max_length or 2000


class WebhookRefusedError(LiveblogError):
    """A subscriber cannot be registered as asked (its URL, its event types, too many)."""


def clean_url(url: object) -> str:
    """The URL if webhooks may be sent there; WebhookRefusedError saying why not otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise WebhookRefusedError("Give the URL that should receive the webhooks.", field="url")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise WebhookRefusedError(
            f"The URL is {len(url):,} characters long; the limit is {MAX_URL_LENGTH:,}.",
            field="url",
        )
    if not url.isascii():
        raise WebhookRefusedError(
            "Write the URL in ASCII: punycode for an international name (xn--...), "
            "percent-encoding for the path.",
            field="url",
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except (ValidationError, ValueError):
        raise WebhookRefusedError(
            f"{url!r} is not an http:// or https:// URL, e.g. https://example.org/hooks/live.",
            field="url",
        ) from None
    if parts.username or parts.password:
        raise WebhookRefusedError(
            "Leave credentials out of the URL: receivers check the signature instead.",
            field="url",
        )
    refusal = address_refusal(parts.hostname or "", allow_private=_allow_private())
    if refusal:
        raise WebhookRefusedError(
            f"Webhooks are only sent to the public internet, and {refusal}.", field="url"
        )
    return url


def clean_event_types(types: object) -> list[str]:
    """The event types, sorted and each once; every public type when none are given."""
    if types is None:
        return list(PUBLIC_EVENT_TYPES)
    if isinstance(types, str) or not isinstance(types, Iterable):
        raise WebhookRefusedError("Give the event types as a list.", field="events")
    chosen = list(types)
    if not chosen:
        raise WebhookRefusedError(
            "Choose at least one event type (or leave the field out for all of them).",
            field="events",
        )
    unknown = [name for name in chosen if name not in PUBLIC_EVENT_TYPES]
    if unknown:
        raise WebhookRefusedError(
            f"Unknown event type {str(unknown[0])[:100]!r}; choose from "
            f"{', '.join(PUBLIC_EVENT_TYPES)}.",
            field="events",
        )
    return sorted(set(chosen))


def check_fits(*, blog_id: int, url: str, webhook: Webhook | None = None) -> None:
    """Refuse a second webhook to one URL of a blog, or one more than a blog may have."""
    others = Webhook.objects.filter(blog_id=blog_id)
    if webhook is not None:
        others = others.exclude(pk=webhook.pk)
    if others.filter(url=url).exists():
        raise WebhookRefusedError("This blog already sends webhooks to this URL.", field="url")
    if webhook is None and others.count() >= MAX_WEBHOOKS_PER_BLOG:
        raise WebhookRefusedError(
            f"A blog can have {MAX_WEBHOOKS_PER_BLOG} webhooks; remove one you no longer use."
        )


@transaction.atomic
def webhook_create(
    *,
    blog: Blog,
    url: object,
    event_types: object = None,
    created_by: AbstractBaseUser | AnonymousUser | None = None,
    webhook: Webhook | None = None,
) -> tuple[Webhook, str]:
    """Register a subscriber; return it with its signing secret, the only time it is shown.

    It receives the events appended from now on. ``webhook`` lets the admin save the unsaved
    instance its form built.
    """
    url = clean_url(url)
    types = clean_event_types(event_types)
    check_fits(blog_id=blog.pk, url=url)
    secret = signing.new_secret()
    webhook = webhook or Webhook()
    webhook.blog = blog
    webhook.url = url
    webhook.event_types = types
    webhook.secret = secret
    webhook.created_by_id = created_by.pk if created_by and created_by.is_authenticated else None
    webhook.delivered_seq = Blog.objects.values_list("last_seq", flat=True).get(pk=blog.pk)
    webhook.next_attempt_at = timezone.now()
    webhook.save()
    return webhook, secret


def webhook_change(*, webhook: Webhook, url: object, event_types: object) -> Webhook:
    """Send to another URL or other event types; the cursor stays where it is."""
    url = clean_url(url)
    types = clean_event_types(event_types)
    check_fits(blog_id=webhook.blog_id, url=url, webhook=webhook)
    Webhook.objects.filter(pk=webhook.pk).update(url=url, event_types=types)
    webhook.refresh_from_db()
    return webhook


def webhook_pause(*, webhook: Webhook, reason: str) -> Webhook:
    """Stop delivering; the cursor waits, so a resume sends everything appended meanwhile."""
    Webhook.objects.filter(pk=webhook.pk).update(status=Webhook.Status.PAUSED, paused_reason=reason)
    webhook.refresh_from_db()
    return webhook


def webhook_resume(*, webhook: Webhook) -> Webhook:
    """Deliver again from the cursor, now: every event it missed, in order."""
    Webhook.objects.filter(pk=webhook.pk).update(
        status=Webhook.Status.ACTIVE,
        paused_reason="",
        attempts=0,
        failing_since=None,
        last_error="",
        next_attempt_at=timezone.now(),
    )
    webhook.refresh_from_db()
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    """Remove a subscriber and its delivery log (waits for a delivery in flight to end)."""
    Webhook.objects.filter(pk=webhook.pk).delete()


def _allow_private() -> bool:
    return settings.LIVEBLOG_WEBHOOK_ALLOW_PRIVATE
