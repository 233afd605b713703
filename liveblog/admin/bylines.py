"""Bylines: each user's own profile, how readers see their name on the updates they write.

Every staff user edits their own (no permission needed: it is theirs); superusers see all.
The byline is copied into each update when it is written (``liveblog.bylines``), so a change
here shows on the updates written from then on.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from liveblog.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "role", "location"]
    fields = ["display_name", "role", "location"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Profile]:
        profiles = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return profiles
        return profiles.filter(user_id=request.user.pk or 0)

    def _own(self, request: HttpRequest, obj: Model | None) -> bool:
        if not request.user.is_active or not request.user.is_staff:
            return False
        if obj is None or request.user.is_superuser:
            return True
        return isinstance(obj, Profile) and obj.user_id == request.user.pk

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._own(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._own(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._own(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        mine = Profile.objects.filter(user_id=request.user.pk or 0)
        return self._own(request, None) and not mine.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # An editor has one profile: the list is a detour, so go straight to it.
        if not request.user.is_superuser:
            own = Profile.objects.filter(user_id=request.user.pk or 0).first()
            name = "change" if own else "add"
            args = [own.pk] if own else []
            return HttpResponseRedirect(reverse(f"admin:liveblog_profile_{name}", args=args))
        return super().changelist_view(request, extra_context)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        user = request.user
        return {"display_name": user.get_full_name() if user.is_authenticated else ""}

    def save_model(self, request: HttpRequest, obj: Profile, form: ModelForm, change: bool) -> None:
        if not change:
            user = request.user
            assert not isinstance(user, AnonymousUser)  # admin_view lets only staff in
            obj.user = user
        super().save_model(request, obj, form, change)
