"""``/api/blogs/<slug>/webhooks/``: a blog's editors register, list, inspect, resume and remove
the subscribers that receive its events. Every method needs a member of the blog, as writes do.

Thin like ``liveblog.api.views``: serializers check the request's shape, ``subscriptions``
decides, and its refusals become 400s in the API's one error shape.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from liveblog import selectors
from liveblog.api.permissions import IsBlogMember
from liveblog.api.representation import IsoDateTimeField, Shape
from liveblog.api.schema import error_responses, location_header
from liveblog.api.views import ApiView
from liveblog.models import Blog
from liveblog.webhooks import subscriptions
from liveblog.webhooks.models import Webhook

#: Attempts shown with one webhook, newest first (the admin shows the whole log).
RECENT_DELIVERIES = 20
#: What may refuse any webhook method, reads too (each is for the blog's members only).
READ_ERRORS = (401, 403, 404, 429, 503)


# --- Shapes ----------------------------------------------------------------------------


class WebhookSerializer(Shape):
    """A subscriber as its owners see it; never its secret."""

    id = serializers.UUIDField(read_only=True)
    url = serializers.URLField(read_only=True)
    events = serializers.ListField(
        source="event_types", child=serializers.CharField(), read_only=True
    )
    status = serializers.ChoiceField(choices=Webhook.Status.choices, read_only=True)
    paused_reason = serializers.CharField(
        read_only=True, help_text="Why deliveries stopped, when paused; resume to go on."
    )
    created_at = IsoDateTimeField(read_only=True)
    delivered_seq = serializers.IntegerField(
        read_only=True, help_text="Every event up to this seq was delivered (or not wanted)."
    )
    last_delivered_at = IsoDateTimeField(read_only=True, allow_null=True)
    failed_attempts = serializers.IntegerField(
        source="attempts",
        read_only=True,
        help_text="Failed attempts at the next event; 0 when all is well.",
    )
    next_attempt_at = IsoDateTimeField(
        read_only=True, allow_null=True, help_text="When the failed event is tried again."
    )
    last_error = serializers.CharField(read_only=True)

    @classmethod
    def represent(cls, instance: Webhook) -> dict[str, Any]:
        data = super().represent(instance)
        if not instance.attempts:
            data["next_attempt_at"] = None  # nothing failed: nothing waits to be tried again
        return data


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (whsec_...), shown this once: keep it to verify the "
        "webhook-signature header with any Standard Webhooks library.",
    )


class WebhookDeliverySerializer(Shape):
    """One attempt at delivering an event, from the webhook's delivery log."""

    seq = serializers.IntegerField(read_only=True)
    type = serializers.CharField(source="event_type", read_only=True)
    webhook_id = serializers.CharField(
        source="message_id", read_only=True, help_text="The webhook-id header sent."
    )
    attempt = serializers.IntegerField(read_only=True, help_text="1 for the first try.")
    attempted_at = IsoDateTimeField(read_only=True)
    duration_ms = serializers.IntegerField(read_only=True)
    status_code = serializers.IntegerField(read_only=True, allow_null=True)
    error = serializers.CharField(read_only=True, help_text="Empty when it was delivered.")


class WebhookDetailSerializer(WebhookSerializer):
    deliveries = WebhookDeliverySerializer(many=True, read_only=True, help_text="Newest first.")


class WebhookListSerializer(serializers.Serializer):
    results = WebhookSerializer(many=True, read_only=True)


class WebhookRegisterSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=subscriptions.MAX_URL_LENGTH,
        help_text="Where to POST each event: http(s), on the public internet.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=subscriptions.PUBLIC_EVENT_TYPES),
        required=False,
        allow_empty=False,
        help_text="The event types to receive; all of them when left out.",
    )


# --- Views ----------------------------------------------------------------------------


def _schema(operation_id: str, summary: str, responses: dict[int, Any], **more: Any) -> Any:
    """Describe a webhook method: its own ``responses`` and the ``READ_ERRORS`` all may meet."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        tags=["webhooks"],
        responses={**responses, **error_responses(*READ_ERRORS)},
        **more,
    )


class WebhookView(ApiView):
    """Every method, reads included, is for the blog's members: a subscriber is theirs."""

    def get_permissions(self) -> list[BasePermission]:
        return [IsBlogMember()]

    def get_blog(self, slug: str) -> Blog:
        blog = selectors.blog_get(slug=slug, user=self.request.user)
        self.check_object_permissions(self.request, blog)
        return blog

    def get_webhook(self, slug: str, webhook_id: uuid.UUID) -> Webhook:
        webhook = Webhook.objects.filter(blog=self.get_blog(slug), pk=webhook_id).first()
        if webhook is None:
            raise NotFound(f"There is no webhook {webhook_id} on {slug!r}.")
        return webhook

    def detail(self, webhook: Webhook, code: int = status.HTTP_200_OK) -> Response:
        deliveries = webhook.deliveries.order_by("-id")[:RECENT_DELIVERIES]
        data = {
            **WebhookSerializer.represent(webhook),
            "deliveries": WebhookDeliverySerializer(deliveries, many=True).data,
        }
        return Response(data, status=code)


class WebhookListView(WebhookView):
    @_schema("webhooks_list", "The blog's webhooks", {200: WebhookListSerializer})
    def get(self, request: Request, slug: str) -> Response:
        """Every subscriber of the blog, with where it is in the log and why it is paused."""
        webhooks = Webhook.objects.filter(blog=self.get_blog(slug))
        return Response({"results": WebhookSerializer(webhooks, many=True).data})

    @_schema(
        "webhook_create",
        "Register a webhook",
        {201: WebhookCreatedSerializer, **error_responses(400)},
        request=WebhookRegisterSerializer,
        parameters=[
            location_header("The new webhook."),
        ],
    )
    def post(self, request: Request, slug: str) -> Response:
        """POST every event appended from now on to `url`, in seq order, signed.

        The answer carries the signing `secret`, this once. Each request is the event as the
        events API shows it, with the Standard Webhooks headers `webhook-id`,
        `webhook-timestamp` and `webhook-signature`; a 2xx answer moves on to the next event,
        anything else is retried with backoff.
        """
        blog = self.get_blog(slug)
        data = self.body(WebhookRegisterSerializer)
        webhook, secret = subscriptions.webhook_create(
            blog=blog, url=data["url"], event_types=data.get("events"), created_by=request.user
        )
        response = self.located(
            Response(
                {**WebhookSerializer.represent(webhook), "secret": secret},
                status=status.HTTP_201_CREATED,
            ),
            "api:webhook-detail",
            slug=blog.slug,
            webhook_id=webhook.pk,
        )
        response["Cache-Control"] = "no-store"
        return response


class WebhookDetailView(WebhookView):
    @_schema(
        "webhook_retrieve", "One webhook with its latest deliveries", {200: WebhookDetailSerializer}
    )
    def get(self, request: Request, slug: str, webhook_id: uuid.UUID) -> Response:
        """The subscriber and its latest delivery attempts, newest first."""
        return self.detail(self.get_webhook(slug, webhook_id))

    @_schema("webhook_delete", "Remove a webhook", {204: None})
    def delete(self, request: Request, slug: str, webhook_id: uuid.UUID) -> Response:
        """Stop sending to it for good; its delivery log goes too."""
        subscriptions.webhook_delete(webhook=self.get_webhook(slug, webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookResumeView(WebhookView):
    @_schema(
        "webhook_resume", "Resume a paused webhook", {200: WebhookDetailSerializer}, request=None
    )
    def post(self, request: Request, slug: str, webhook_id: uuid.UUID) -> Response:
        """Deliver again now, from where it stopped: every event it missed, in order."""
        webhook = subscriptions.webhook_resume(webhook=self.get_webhook(slug, webhook_id))
        return self.detail(webhook)


_WEBHOOK = "blogs/<slug:slug>/webhooks/<uuid:webhook_id>/"
#: Included in ``liveblog.api.urls``, under its ``api`` namespace.
urlpatterns = [
    path("blogs/<slug:slug>/webhooks/", WebhookListView.as_view(), name="webhook-list"),
    path(_WEBHOOK, WebhookDetailView.as_view(), name="webhook-detail"),
    path(f"{_WEBHOOK}resume/", WebhookResumeView.as_view(), name="webhook-resume"),
]
