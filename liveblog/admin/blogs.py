"""Blogs: created, changed, renamed, opened and closed through commands; members saved directly.

Membership (with each member's role: editor or contributor) is access control
(``liveblog.access``), not part of the log, so it is the one thing the admin saves itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from liveblog import access, commands, slugs
from liveblog.admin.base import actor, desk_url, redirect_back, render_now
from liveblog.admin.desk import DeskAdmin
from liveblog.errors import LiveblogError
from liveblog.forms import BlogChangeForm, BlogCreateForm
from liveblog.models import Blog, Membership


class MembershipInline(admin.TabularInline):
    """The blog's members and their roles: editors publish, contributors submit."""

    model = Membership
    extra = 1
    fields = ["user", "role"]
    verbose_name = "member"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = access.possible_members()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _editor_of(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is not None and access.may(request.user, obj.pk, access.Action.MANAGE_MEMBERS)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is not None and access.is_member(request.user, obj.pk)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._editor_of(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._editor_of(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._editor_of(request, obj)


@admin.register(Blog)
class BlogAdmin(DeskAdmin):
    """Blogs, and each blog's live desk (``liveblog.admin.desk``)."""

    blog_lookup = "pk"
    form = BlogChangeForm
    add_form = BlogCreateForm
    list_display = ["title", "status", "slug", "time_zone", "updated_at", "desk_link"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "description", "time_zone"]}),
        ("Labels", {"fields": ["labels"]}),
        ("Coverage", {"fields": ["coverage_start", "coverage_end"]}),
        ("Stream", {"fields": ["last_seq", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    add_fieldsets = [(None, {"fields": ["slug", "title", "description", "time_zone"]})]
    readonly_fields = ["slug", "status", "last_seq", "created_at", "updated_at"]
    actions = ["open_blogs", "close_blogs"]

    def blog_id_of(self, obj: Model) -> int:
        return obj.pk

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            *self.desk_urls(),
            path("<int:blog_id>/status/", view(self.status_view), name="liveblog_blog_status"),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.may_start_blog(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return access.may(request.user, obj.pk, access.Action.CHANGE_BLOG)

    # --- The add and change forms ---------------------------------------------------

    def get_form(
        self, request: HttpRequest, obj: Blog | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Blog | None = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def view_on_site(self, obj: Blog) -> str | None:
        # A blog named before slugs were checked has no page to show.
        return obj.get_absolute_url() if obj.has_address else None

    def get_readonly_fields(self, request: HttpRequest, obj: Blog | None = None) -> Any:
        if obj is None:
            return ()
        readonly = super().get_readonly_fields(request, obj)
        if obj.slug_can_change:
            return [name for name in readonly if name != "slug"]
        return readonly

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "slug":
            # Plain text here: the events' check (liveblog.slugs), run by the forms, is the
            # one rule for slugs, with its own message.
            return forms.CharField(
                max_length=slugs.MAX_LENGTH,
                help_text="The blog's address, as in /blogs/election-night/: letters, digits, "
                "hyphens and underscores. It can change while the blog is a draft (or has no "
                "working address); once readers have its links, it stays.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Blog | None = None
    ) -> dict[str, Sequence[str]]:
        return {"slug": ("title",)} if obj is None else {}

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[type]:
        return [] if obj is None else list(self.inlines)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        blog = cast(Blog, self.get_object(request, unquote(object_id))) if object_id else None
        with timezone.override(blog.zone if blog else timezone.get_current_timezone()):
            try:
                return render_now(
                    super().changeform_view(request, object_id, form_url, extra_context)
                )
            except LiveblogError as exc:
                # A refusal the form could not foresee (the slug taken a moment earlier, a
                # stream too busy to append to): the admin's transaction rolled back, so say
                # why and show the page again.
                messages.error(request, exc.message)
                return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Blog, form: ModelForm, change: bool) -> None:
        if change:
            assert isinstance(form, BlogChangeForm)
            if "slug" in form.changed_data:
                commands.blog_rename(blog=obj, slug=form.cleaned_data["slug"], actor=actor(request))
            commands.blog_update(blog=obj, actor=actor(request), **form.details())
            if "labels" in form.changed_data:
                commands.blog_set_labels(
                    blog=obj, labels=form.cleaned_data["labels"], actor=actor(request)
                )
            return
        data = form.cleaned_data
        created = commands.blog_create(
            slug=data["slug"],
            title=data["title"],
            description=data["description"],
            time_zone=data["time_zone"],
            actor=actor(request),
        )
        user = request.user
        assert not isinstance(user, AnonymousUser)  # admin_view lets only staff in
        created.members.add(user, through_defaults={"role": Membership.Role.EDITOR})
        # The admin goes on to log and redirect with ``obj``: make it the blog just created.
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def response_add(
        self, request: HttpRequest, obj: Blog, post_url_continue: str | None = None
    ) -> HttpResponse:
        # A new blog is written on its desk: go there, not back to the list.
        messages.success(
            request,
            f"“{obj.title}” is ready, as a draft: write its first updates here, and open it "
            "when readers should see it.",
        )
        return HttpResponseRedirect(desk_url(obj.pk))

    # --- Status: open and close -------------------------------------------------------

    def status_view(self, request: HttpRequest, blog_id: int) -> HttpResponse:
        """Open or close one blog: first a page saying what readers will see, then the change.

        The buttons on the blog's page and desk lead here (GET, or a POST without
        ``confirmed``); only the confirmation page's button changes the blog.
        """
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        blog = self.blog_for(request, blog_id)
        if not self.has_change_permission(request, blog):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        action = data.get("action", "")
        if action not in _TRANSITIONS:
            return HttpResponseBadRequest("The action must be 'open' or 'close'.")
        if request.method == "GET" or "confirmed" not in request.POST:
            return self.confirm_status(request, [blog], action)
        self._change_status(request, [blog], action)
        return redirect_back(request, reverse("admin:liveblog_blog_change", args=[blog.pk]))

    def confirm_status(
        self, request: HttpRequest, blogs: Iterable[Blog], action: str
    ) -> HttpResponse:
        """The page that asks before opening or closing, and says what readers will see."""
        blogs = list(blogs)
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        context = self.admin_context(
            request,
            title=f"{'Open' if action == 'open' else 'Close'} {_named(blogs)}?",
            blogs=blogs,
            action=action,
            next_url=next_url,
            action_checkbox_name=ACTION_CHECKBOX_NAME,
            from_list=request.resolver_match is not None
            and request.resolver_match.url_name == "liveblog_blog_changelist",
        )
        response = TemplateResponse(request, "admin/liveblog/blog/status_confirm.html", context)
        # "Coverage ended at <time>": the time readers will read, in the blog's zone.
        with timezone.override(
            blogs[0].zone if len(blogs) == 1 else timezone.get_current_timezone()
        ):
            return render_now(response)

    @admin.action(description="Open the selected blogs (go live)", permissions=["change"])
    def open_blogs(self, request: HttpRequest, queryset: QuerySet[Blog]) -> HttpResponse | None:
        return self._status_action(request, queryset, "open")

    @admin.action(description="Close the selected blogs (end coverage)", permissions=["change"])
    def close_blogs(self, request: HttpRequest, queryset: QuerySet[Blog]) -> HttpResponse | None:
        return self._status_action(request, queryset, "close")

    def _status_action(
        self, request: HttpRequest, blogs: QuerySet[Blog], action: str
    ) -> HttpResponse | None:
        """The list's action: the confirmation page first, then the change (None: the list)."""
        if "confirmed" not in request.POST:
            return self.confirm_status(request, blogs, action)
        self._change_status(request, blogs, action)
        return None

    def _change_status(self, request: HttpRequest, blogs: Iterable[Blog], action: str) -> None:
        command = _TRANSITIONS[action]
        for blog in blogs:
            if not self.has_change_permission(request, blog):
                # The list's action is offered to anyone who changes some blog; each blog
                # asks its own role (a contributor's blog stays as it is).
                messages.error(request, f"Only the editors of “{blog.title}” may open or close it.")
                continue
            try:
                changed = command(blog=blog, actor=actor(request))
            except LiveblogError as exc:
                messages.error(request, exc.message)
            else:
                status = changed.get_status_display().lower()
                messages.success(request, f"“{changed.title}” is now {status}.")


#: The status actions, as the confirmation page and the list's actions name them.
_TRANSITIONS: dict[str, Callable[..., Blog]] = {
    "open": commands.blog_open,
    "close": commands.blog_close,
}


def _named(blogs: list[Blog]) -> str:
    if len(blogs) == 1:
        return f"“{blogs[0].title}”"
    return f"{len(blogs)} blogs"
