"""The editors' webhook screens: register (the secret shown once), change, pause, resume, remove,
and each subscriber's delivery log, with why it is paused.

A blog's members manage its webhooks, as they change its entries on the desk
(``liveblog.access``); superusers everywhere. Registered when the app is ready
(``liveblog.apps``), since admin autodiscovery only loads ``<app>.admin``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from liveblog import access
from liveblog.webhooks import signing, subscriptions
from liveblog.webhooks.models import Webhook, WebhookDelivery


def _manages(request: HttpRequest, blog_id: int) -> bool:
    return access.may(request.user, blog_id, access.Action.CHANGE_ENTRIES)


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=subscriptions.MAX_URL_LENGTH,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text="Where each event is POSTed: http(s), on the public internet.",
    )
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in subscriptions.PUBLIC_EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="The event types it receives.",
    )

    class Meta:
        model = Webhook
        fields = ["blog", "url"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adding = self.instance._state.adding
        self.fields["events"].initial = (
            list(subscriptions.PUBLIC_EVENT_TYPES) if adding else self.instance.event_types
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, check in (
            ("url", subscriptions.clean_url),
            ("events", subscriptions.clean_event_types),
        ):
            if field in data:
                try:
                    data[field] = check(data[field])
                except subscriptions.WebhookRefusedError as exc:
                    self.add_error(field, exc.message)
        adding = self.instance._state.adding
        blog_id = data["blog"].pk if adding and data.get("blog") else self.instance.blog_id
        if blog_id and "url" in data:
            try:
                subscriptions.check_fits(
                    blog_id=blog_id, url=data["url"], webhook=None if adding else self.instance
                )
            except subscriptions.WebhookRefusedError as exc:
                self.add_error(exc.field, exc.message)
        return data


class DeliveryInline(admin.TabularInline):
    """The delivery log: every attempt, newest first (the latest hundred are kept)."""

    model = WebhookDelivery
    verbose_name = "delivery attempt"
    verbose_name_plural = "Delivery log (newest first)"
    fields = readonly_fields = (
        "attempted_at",
        "seq",
        "outcome",
        "attempt",
        "event_type",
        "duration_ms",
    )
    ordering = ["-id"]
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="Outcome")
    def outcome(self, delivery: WebhookDelivery) -> str:
        if delivery.delivered:
            return f"Delivered (HTTP {delivery.status_code})"
        return delivery.error

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Shown on the pages of webhooks the user manages (WebhookAdmin decides which).
        return access.is_editor(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


#: How deliveries to a webhook are going: read-only, shown together on its page.
_DELIVERY_FIELDS = (
    "delivered_seq",
    "behind",
    "last_delivered_at",
    "failed_attempts",
    "failing_since",
    "next_retry",
    "last_error",
)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "blog", "status_brief", "behind"]
    list_filter = ["status"]
    search_fields = ["url", "blog__title", "blog__slug"]
    list_select_related = ["blog"]
    readonly_fields = [
        "status_shown",
        "secret_hint",
        *_DELIVERY_FIELDS,
        "created_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["blog", "url", "events", "status_shown"]}),
        ("Delivery", {"fields": _DELIVERY_FIELDS}),
        ("Registration", {"fields": ["secret_hint", "created_by", "created_at"]}),
    ]
    inlines = [DeliveryInline]
    actions = ["pause_webhooks", "resume_webhooks"]

    class Media:
        css = {"all": ["liveblog/admin/webhooks.css"]}

    # --- Who sees what ----------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Webhook]:
        webhooks = super().get_queryset(request).select_related("blog")
        return webhooks.filter(blog__in=access.editor_blogs(request.user).values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        # A blog's webhooks are its editors' (``_manages``): a contributor has none.
        return access.editor_blogs(request.user).exists()

    def has_view_permission(self, request: HttpRequest, obj: Webhook | None = None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or _manages(request, obj.blog_id)
        )

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "blog":
            kwargs["queryset"] = access.editor_blogs(request.user).order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Webhook | None = None) -> Any:
        return [] if obj is None else self.inlines

    def get_fieldsets(self, request: HttpRequest, obj: Webhook | None = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["blog", "url", "events"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Webhook | None = None) -> Any:
        # A subscriber stays with its blog: another blog is another registration.
        return [] if obj is None else ["blog", *self.readonly_fields]

    # --- Saving through subscriptions --------------------------------------------------

    def save_model(
        self, request: HttpRequest, obj: Webhook, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            subscriptions.webhook_change(webhook=obj, url=data["url"], event_types=data["events"])
            return
        blog = data["blog"]
        if not _manages(request, blog.pk):
            raise Http404("No such blog among those you are a member of.")
        _, secret = subscriptions.webhook_create(
            blog=blog,
            url=data["url"],
            event_types=data["events"],
            created_by=request.user,
            webhook=obj,
        )
        # Kept on this request for response_add, the one page that shows it.
        request._webhook_secret = secret  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: Webhook, post_url_continue: str | None = None
    ) -> HttpResponse:
        # The secret is shown in this response only: never put in a message (a cookie) or
        # stored where it could be shown again.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "webhook": obj,
            # Set by save_model on this request (see above).
            "secret": request._webhook_secret,  # type: ignore[attr-defined]
            "change_url": reverse("admin:liveblog_webhook_change", args=[obj.pk]),
            "title": "Webhook registered",
        }
        response = TemplateResponse(request, "admin/liveblog/webhook/registered.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def delete_model(self, request: HttpRequest, obj: Webhook) -> None:
        subscriptions.webhook_delete(webhook=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for webhook in queryset:
            subscriptions.webhook_delete(webhook=webhook)

    # --- Pause and resume ----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/resume/",
                self.admin_site.admin_view(self.resume_view),
                name="liveblog_webhook_resume",
            ),
            *super().get_urls(),
        ]

    def resume_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        webhook = self.get_object(request, unquote(object_id))
        if webhook is None or not self.has_change_permission(request, webhook):
            raise Http404("No such webhook among those of your blogs.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        subscriptions.webhook_resume(webhook=webhook)
        self.message_user(request, _resumed_message(1), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:liveblog_webhook_change", args=[webhook.pk]))

    @admin.action(description="Pause selected webhooks", permissions=["change"])
    def pause_webhooks(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        for webhook in queryset.filter(status=Webhook.Status.ACTIVE):
            subscriptions.webhook_pause(
                webhook=webhook,
                reason=f"Paused by {request.user.get_username()} at {when}; resuming sends "
                "every event since, in order.",
            )
        self.message_user(
            request, "Paused. Events wait in the log; resuming sends everything since, in order."
        )

    @admin.action(description="Resume selected webhooks", permissions=["change"])
    def resume_webhooks(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        paused = list(queryset.filter(status=Webhook.Status.PAUSED))
        for webhook in paused:
            subscriptions.webhook_resume(webhook=webhook)
        self.message_user(request, _resumed_message(len(paused)))

    # --- What the list and the page show -------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def status_shown(self, webhook: Webhook) -> str:
        if webhook.is_active:
            return "Active"
        return format_html(
            '<strong class="webhook-paused">Paused</strong>: {}', webhook.paused_reason
        )

    @admin.display(description="Status", ordering="status")
    def status_brief(self, webhook: Webhook) -> str:
        if not webhook.is_active:
            return format_html('<strong class="webhook-paused">{}</strong>', "Paused")
        return f"Failing ({webhook.attempts} tries)" if webhook.attempts else "Active"

    @admin.display(description="Failed attempts at the next event")
    def failed_attempts(self, webhook: Webhook) -> int:
        return webhook.attempts

    @admin.display(description="Next retry")
    def next_retry(self, webhook: Webhook) -> Any:
        return webhook.next_attempt_at if webhook.attempts else self.get_empty_value_display()

    @admin.display(description="Events behind")
    def behind(self, webhook: Webhook) -> int:
        return max(0, webhook.blog.last_seq - webhook.delivered_seq)

    @admin.display(description="Signing secret")
    def secret_hint(self, webhook: Webhook) -> str:
        return (
            f"{webhook.secret[: signing.SHOWN_CHARACTERS]}… (shown in full once, when it was "
            "registered; to change it, register the URL again and remove this one)"
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except subscriptions.WebhookRefusedError as exc:
            # A refusal the form could not foresee (the same URL registered a moment
            # earlier): nothing was saved; say why and show the page again.
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        webhook = self.get_object(request, unquote(object_id))
        extra = {**(extra_context or {})}
        if webhook is not None and not webhook.is_active:
            extra["resume_url"] = reverse("admin:liveblog_webhook_resume", args=[webhook.pk])
        return super().change_view(request, object_id, form_url, extra)


def _resumed_message(count: int) -> str:
    return (
        f"Resumed {count} webhook(s): each now gets every event it missed, in order, "
        "starting with the oldest."
    )
