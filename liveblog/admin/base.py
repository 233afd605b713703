"""What the editors' screens share: lists and pages scoped to the user's blogs, and helpers.

Who is a member of which blog is decided by ``liveblog.access``, as for the API; this
module only applies that rule to the admin's querysets and object permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from liveblog import access


def actor(request: HttpRequest) -> str:
    """Who the log records as having acted: the editor's login name."""
    return request.user.get_username()


def desk_url(blog_id: int) -> str:
    return reverse("admin:liveblog_blog_desk", args=[blog_id])


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Return to the page the button was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if target and safe else fallback)


def render_now(response: HttpResponse) -> HttpResponse:
    """Render a template response at once, inside the caller's ``timezone.override()``.

    Template responses otherwise render after the view returns, outside it, and times
    would show in the server's zone instead of the blog's.
    """
    if isinstance(response, TemplateResponse):
        response.render()
    return response


class MembershipAdmin(admin.ModelAdmin):
    """Lists and opens only what belongs to blogs the user is a member of."""

    #: The lookup from this model to its blog's primary key.
    blog_lookup: str = "blog_id"

    def blog_id_of(self, obj: Model) -> int:
        # Admins whose model has no blog_id column override this (see blog_lookup).
        return obj.blog_id  # type: ignore[attr-defined]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        blogs = access.member_blogs(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.blog_lookup}__in": blogs})

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Model:
        # Django redirects to the index with "perhaps it was deleted" for an object outside
        # the queryset; a plain 404 is clearer and the same on every page, custom or not.
        # An empty ?_to_field= reaches here as "", for which Django looks up a field named ""
        # (FieldDoesNotExist, a 500): it means the primary key.
        obj = super().get_object(request, object_id, from_field or None)
        if obj is None:
            raise Http404(
                f"No {self.opts.verbose_name} {object_id} in the blogs you are a member of."
            )
        return obj

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) and (
            obj is None or access.is_member(request.user, self.blog_id_of(obj))
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Nothing event-sourced is deleted: blogs with history are protected, entries are
        # retracted, events are permanent.
        return False

    def admin_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, **context}
