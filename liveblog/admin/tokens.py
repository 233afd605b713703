"""The editors' token screen: create a token (its key is shown once), revoke, never delete.

Any staff user manages their own tokens without a model permission: a token only carries
the powers its owner already has. Superusers see and revoke everyone's. The tokens
themselves are made and checked by ``liveblog.api.tokens``.

The new key is shown in the answer to the form that created it, a page no cache keeps, and
nowhere else: not in a message, which would carry it to the next page in a cookie that is
signed, not encrypted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from liveblog import access
from liveblog.api import tokens
from liveblog.models import ApiToken

#: Where ``save_model`` leaves the new key for ``response_add``, on that request only.
_NEW_KEY = "_liveblog_new_api_key"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        tokens_ = super().get_queryset(request).select_related("user")
        return tokens_ if request.user.is_superuser else tokens_.filter(user=request.user)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("name",) if obj is None else ("name", *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        # A token is never edited: a different name or owner is a new token.
        return () if obj is None else ("name", *self.readonly_fields)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_editor(request.user)

    def has_view_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return self._owns(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Needed for the revoke action; the change form itself is read-only.
        return self._owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Revoked tokens stay, so the admin shows which tool could act for whom, and when.
        return False

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: ModelForm, change: bool
    ) -> None:
        if change:
            return
        user = request.user
        assert not isinstance(user, AnonymousUser)  # admin_view lets only staff in
        _, key = tokens.token_create(user=user, name=obj.name, token=obj)
        setattr(request, _NEW_KEY, key)

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The page that shows the new key, this once, instead of a redirect."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"API token “{obj.name}” created",
            "token": obj,
            "key": getattr(request, _NEW_KEY),
        }
        response = TemplateResponse(request, "admin/liveblog/apitoken/created.html", context)
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True)
        return response

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            tokens.token_revoke(token=token)
        self.message_user(
            request, f"Revoked {len(live)} token(s); tools using them are now refused."
        )

    def _owns(self, request: HttpRequest, obj: ApiToken | None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk
