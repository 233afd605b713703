"""The log, read-only for everyone, superusers included: no add, change or delete."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liveblog.admin.base import MembershipAdmin
from liveblog.models import Event


@admin.register(Event)
class EventAdmin(MembershipAdmin):
    """A blog's events, for its members: who did what, when, in seq order."""

    list_display = ["seq", "blog", "type", "entry_link", "occurred_at", "recorded_at", "actor"]
    list_filter = [("blog", admin.RelatedOnlyFieldListFilter), "type", "actor"]
    search_fields = ["payload", "actor", "entry_id", "type"]
    list_select_related = ["blog"]
    ordering = ["-pk"]
    fields = readonly_fields = (
        "blog",
        "seq",
        "type",
        "entry_link",
        "schema_version",
        "occurred_at",
        "recorded_at",
        "actor",
        "payload_json",
    )
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Entry", ordering="entry_id")
    def entry_link(self, event: Event) -> SafeString | str:
        if event.entry_id is None:
            return "—"
        url = reverse("admin:liveblog_entry_change", args=[event.entry_id])
        entry_id = str(event.entry_id)
        return format_html('<a href="{}" title="{}">{}…</a>', url, entry_id, entry_id[:8])

    @admin.display(description="Payload")
    def payload_json(self, event: Event) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, ensure_ascii=False))
