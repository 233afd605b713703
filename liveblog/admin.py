"""The editors' workplace: blogs, the live desk, entry corrections, and the read-only log.

The admin is thin: it decides who may act on which blog (membership) and turns input into
calls to ``liveblog.commands``, the functions the API calls too. It never saves an event or
a projection row; only blog membership, which is access control and not part of the log, is
saved directly.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import ManyToManyField, Model, QuerySet
from django.forms import ModelForm, ModelMultipleChoiceField
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from liveblog import commands, selectors, slugs
from liveblog.api import admin as api_admin  # noqa: F401 - registers the token screen
from liveblog.errors import EntryNotFoundError, LiveblogError, StaleRevisionError
from liveblog.forms import (
    BlogChangeForm,
    BlogCreateForm,
    CorrectionForm,
    EntryAppendForm,
    RetractionForm,
    add_domain_error,
)
from liveblog.markup import render_markdown
from liveblog.models import Blog, Entry, EntryRevision, Event

#: How many entries the live desk lists under the form.
DESK_ENTRIES = 50

AnyUser = AbstractBaseUser | AnonymousUser


def is_member(user: AnyUser, blog_id: int) -> bool:
    """Whether ``user`` may act on the blog: superusers on every blog, editors on their own."""
    if user.is_superuser:
        return True
    return Blog.objects.filter(pk=blog_id, members=user.pk).exists()


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


def _run_on_revision(form: Any, command: Callable[[], object]) -> tuple[bool, Entry | None, Any]:
    """Run a command based on the revision the form was opened at; refusals become form errors.

    Returns whether it succeeded, the newer entry when a colleague changed it meanwhile, and
    the form to show (moved onto that newer revision, with the editor's text kept).
    """
    try:
        command()
    except StaleRevisionError as exc:
        form = form.rebased(exc.current)
        form.add_error(None, exc.message)
        return False, exc.current, form
    except LiveblogError as exc:
        add_domain_error(form, exc)
        return False, None, form
    return True, None, form


def _desk_url(blog_id: int) -> str:
    return reverse("admin:liveblog_blog_desk", args=[blog_id])


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Return to the page the button was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if target and safe else fallback)


def _render_now(response: HttpResponse) -> HttpResponse:
    # Template responses render after the view returns, outside any timezone.override();
    # render inside it so times show in the blog's zone.
    if isinstance(response, TemplateResponse):
        response.render()
    return response


class MembershipAdmin(admin.ModelAdmin):
    """Lists and opens only what belongs to blogs the user is a member of."""

    #: The lookup from this model to ``Blog.members``.
    members_lookup: str = "blog__members"

    def blog_id_of(self, obj: Model) -> int:
        return obj.blog_id  # type: ignore[attr-defined]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.members_lookup: request.user.pk})

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
            obj is None or is_member(request.user, self.blog_id_of(obj))
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or is_member(request.user, self.blog_id_of(obj))
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Nothing event-sourced is deleted: blogs with history are protected, entries are
        # retracted, events are permanent.
        return False

    def admin_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, **context}


@admin.register(Blog)
class BlogAdmin(MembershipAdmin):
    """Blogs: created, changed, opened and closed through commands; members saved directly."""

    members_lookup = "members"
    form = BlogChangeForm
    add_form = BlogCreateForm
    list_display = ["title", "status", "slug", "time_zone", "updated_at", "desk_link"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "description", "time_zone"]}),
        ("Coverage", {"fields": ["coverage_start", "coverage_end"]}),
        ("Members", {"fields": ["members"]}),
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
            path("<int:blog_id>/desk/", view(self.desk_view), name="liveblog_blog_desk"),
            path(
                "<int:blog_id>/desk/preview/",
                view(self.preview_view),
                name="liveblog_blog_preview",
            ),
            path("<int:blog_id>/status/", view(self.status_view), name="liveblog_blog_status"),
            *super().get_urls(),
        ]

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
    ) -> dict[str, tuple[str, ...]]:
        return {"slug": ("title",)} if obj is None else {}

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "members":
            # Only staff reach the admin, so only they can act as members.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        blog = self.get_object(request, unquote(object_id)) if object_id else None
        with timezone.override(blog.zone if blog else timezone.get_current_timezone()):
            try:
                return _render_now(
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
            if "slug" in form.changed_data:
                commands.blog_rename(
                    blog=obj, slug=form.cleaned_data["slug"], actor=_actor(request)
                )
            commands.blog_update(blog=obj, actor=_actor(request), **form.details())
            return
        data = form.cleaned_data
        created = commands.blog_create(
            slug=data["slug"],
            title=data["title"],
            description=data["description"],
            time_zone=data["time_zone"],
            actor=_actor(request),
        )
        created.members.add(request.user)
        # The admin goes on to log and redirect with ``obj``: make it the blog just created.
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    # --- Status: open and close -------------------------------------------------------

    def status_view(self, request: HttpRequest, blog_id: int) -> HttpResponse:
        """Open or close one blog (the buttons on its change page and desk)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        blog = self._blog_for(request, blog_id)
        if not self.has_change_permission(request, blog):
            raise PermissionDenied
        transitions = {"open": commands.blog_open, "close": commands.blog_close}
        command = transitions.get(request.POST.get("action", ""))
        if command is None:
            return HttpResponseBadRequest("The action must be 'open' or 'close'.")
        self._change_status(request, [blog], command)
        return _redirect_back(request, reverse("admin:liveblog_blog_change", args=[blog.pk]))

    @admin.action(description="Open the selected blogs (go live)", permissions=["change"])
    def open_blogs(self, request: HttpRequest, queryset: QuerySet[Blog]) -> None:
        self._change_status(request, queryset, commands.blog_open)

    @admin.action(description="Close the selected blogs (end coverage)", permissions=["change"])
    def close_blogs(self, request: HttpRequest, queryset: QuerySet[Blog]) -> None:
        self._change_status(request, queryset, commands.blog_close)

    def _change_status(
        self, request: HttpRequest, blogs: Any, command: Callable[..., Blog]
    ) -> None:
        for blog in blogs:
            try:
                changed = command(blog=blog, actor=_actor(request))
            except LiveblogError as exc:
                messages.error(request, exc.message)
            else:
                status = changed.get_status_display().lower()
                messages.success(request, f"“{changed.title}” is now {status}.")

    # --- The live desk ----------------------------------------------------------------

    @admin.display(description="Live desk")
    def desk_link(self, blog: Blog) -> SafeString:
        return format_html('<a href="{}">Open the desk</a>', _desk_url(blog.pk))

    def _blog_for(self, request: HttpRequest, blog_id: int) -> Blog:
        blog = self.get_object(request, str(blog_id))
        if not self.has_view_permission(request, blog):
            raise PermissionDenied
        return blog

    def desk_view(self, request: HttpRequest, blog_id: int) -> HttpResponse:
        """The append form, its preview and the latest entries, on one page."""
        blog = self._blog_for(request, blog_id)
        can_publish = request.user.has_perm("liveblog.add_entry")
        preview: SafeString | None = None
        with timezone.override(blog.zone):
            form = EntryAppendForm(blog=blog)
            if request.method == "POST":
                if not can_publish:
                    raise PermissionDenied
                form = EntryAppendForm(request.POST, blog=blog)
                if form.is_valid():
                    if "_preview" in request.POST:
                        # render_markdown sanitizes (nh3), so its output may be shown as is.
                        preview = mark_safe(render_markdown(form.cleaned_data["body"]))
                    elif published := self._publish(request, blog, form):
                        return published
            context = self.admin_context(
                request,
                title=f"Live desk: {blog.title}",
                blog=blog,
                form=form,
                preview=preview,
                can_publish=can_publish,
                can_change_entries=request.user.has_perm("liveblog.change_entry"),
                can_change_blog=self.has_change_permission(request, blog),
                entries=selectors.entries_for_blog(blog)[:DESK_ENTRIES],
            )
            return TemplateResponse(request, "admin/liveblog/blog/desk.html", context).render()

    def _publish(
        self, request: HttpRequest, blog: Blog, form: EntryAppendForm
    ) -> HttpResponse | None:
        data = form.cleaned_data
        desk = HttpResponseRedirect(_desk_url(blog.pk))
        if _is_published(blog, data["entry_id"]):
            messages.info(request, "That update was already published (sent twice); see below.")
            return desk
        try:
            entry = commands.entry_publish(
                blog=blog,
                actor=_actor(request),
                body=data["body"],
                headline=data["headline"],
                occurred_at=data["occurred_at"],
                key_event=data["key_event"],
                pinned=data["pinned"],
                entry_id=data["entry_id"],
            )
        except LiveblogError as exc:
            if _is_published(blog, data["entry_id"]):  # the twin request won the race
                messages.info(request, "That update was already published (sent twice).")
                return desk
            add_domain_error(form, exc)
            return None
        messages.success(request, f"Published: “{entry}”. Readers have it now.")
        return desk

    def preview_view(self, request: HttpRequest, blog_id: int) -> HttpResponse:
        """The body as readers will see it: sanitized HTML for the desk's live preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._blog_for(request, blog_id)
        html = render_markdown(request.POST.get("body", ""))
        return HttpResponse(html, content_type="text/html; charset=utf-8")


def _is_published(blog: Blog, entry_id: uuid.UUID) -> bool:
    try:
        selectors.entry_get(blog=blog, entry_id=entry_id)
    except EntryNotFoundError:
        return False
    return True


class EntryRevisionInline(admin.TabularInline):
    """Every revision, oldest first: what the entry said before each correction."""

    model = EntryRevision
    classes = ["liveblog-revisions"]
    fields = ["number", "headline", "body", "reason", "actor", "recorded_at", "seq"]
    readonly_fields = fields
    ordering = ["number"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


#: The desk's flag buttons: action name -> (command, what to tell the editor).
ENTRY_FLAGS: dict[str, tuple[Callable[..., Entry], str]] = {
    "pin": (commands.entry_pin, "Pinned"),
    "unpin": (commands.entry_unpin, "Unpinned"),
    "mark_key": (commands.entry_mark_key_event, "Marked as a key event"),
    "unmark_key": (commands.entry_unmark_key_event, "No longer a key event"),
}


@admin.register(Entry)
class EntryAdmin(MembershipAdmin):
    """Entries, read-only here: they change only through the desk's correct/retract/flag views."""

    list_display = [
        "__str__",
        "blog",
        "status",
        "revision",
        "pinned",
        "key_event",
        "occurred_at",
        "author",
    ]
    list_filter = [("blog", admin.RelatedOnlyFieldListFilter), "status", "pinned", "key_event"]
    search_fields = ["headline", "body"]
    list_select_related = ["blog"]
    fields = [
        "blog",
        "headline",
        "body",
        "rendered",
        "status",
        "revision",
        "pinned",
        "key_event",
        "occurred_at",
        "author",
        "published_at",
        "last_corrected_at",
        "correction_reason",
        "retracted_at",
        "retraction_reason",
    ]
    readonly_fields = fields
    inlines = [EntryRevisionInline]
    actions = None

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<uuid:entry_id>/correct/",
                view(self.correct_view),
                name="liveblog_entry_correct",
            ),
            path(
                "<uuid:entry_id>/retract/",
                view(self.retract_view),
                name="liveblog_entry_retract",
            ),
            path("<uuid:entry_id>/flags/", view(self.flags_view), name="liveblog_entry_flags"),
            *super().get_urls(),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The default form would write the projection; changes go through commands instead.
        return False

    @admin.display(description="As readers see it")
    def rendered(self, entry: Entry) -> SafeString:
        return mark_safe(entry.body_html)  # sanitized by liveblog.markup when projected

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        entry = self._entry_for(request, unquote(object_id), acting=False)
        context = {**(extra_context or {}), **self._entry_context(request, entry)}
        with timezone.override(entry.blog.zone):
            return _render_now(super().change_view(request, object_id, form_url, context))

    def _entry_for(self, request: HttpRequest, entry_id: Any, *, acting: bool = True) -> Entry:
        entry = self.get_object(request, str(entry_id))
        if not self.has_view_permission(request, entry):
            raise PermissionDenied
        if acting and not request.user.has_perm("liveblog.change_entry"):
            raise PermissionDenied
        return entry

    def _entry_context(self, request: HttpRequest, entry: Entry) -> dict[str, Any]:
        return {
            "blog": entry.blog,
            "entry": entry,
            "desk_url": _desk_url(entry.blog_id),
            "can_change_entries": request.user.has_perm("liveblog.change_entry"),
        }

    def _entry_page(
        self, request: HttpRequest, template: str, entry: Entry, **context: Any
    ) -> HttpResponse:
        context = self.admin_context(request, **self._entry_context(request, entry), **context)
        return TemplateResponse(request, template, context).render()

    def correct_view(self, request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
        """New text and a reason, checked against the revision the editor started from."""
        entry = self._entry_for(request, entry_id)
        newer: Entry | None = None
        with timezone.override(entry.blog.zone):
            form = CorrectionForm(entry=entry)
            if request.method == "POST":
                form = CorrectionForm(request.POST, entry=entry)
                if form.is_valid() and "_preview" not in request.POST:
                    data = form.cleaned_data
                    done, newer, form = _run_on_revision(
                        form,
                        lambda: commands.entry_correct(
                            entry=entry.pk,
                            body=data["body"],
                            headline=data["headline"],
                            reason=data["reason"],
                            actor=_actor(request),
                            based_on_revision=data["based_on_revision"],
                        ),
                    )
                    if done:
                        messages.success(request, f"Corrected: “{entry}” ({data['reason']}).")
                        return HttpResponseRedirect(_desk_url(entry.blog_id))
            return self._entry_page(
                request,
                "admin/liveblog/entry/correct.html",
                form.entry,
                form=form,
                newer=newer,
                changes=form.changes(),
                title=f"Correct: {entry}",
            )

    def retract_view(self, request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
        """Withdraw the entry with a reason, if it is still the revision the editor saw."""
        entry = self._entry_for(request, entry_id)
        newer: Entry | None = None
        with timezone.override(entry.blog.zone):
            form = RetractionForm(entry=entry)
            if request.method == "POST":
                form = RetractionForm(request.POST, entry=entry)
                if form.is_valid():
                    data = form.cleaned_data
                    done, newer, form = _run_on_revision(
                        form,
                        lambda: commands.entry_retract(
                            entry=entry.pk,
                            reason=data["reason"],
                            actor=_actor(request),
                            based_on_revision=data["based_on_revision"],
                        ),
                    )
                    if done:
                        messages.success(request, f"Retracted: “{entry}”.")
                        return HttpResponseRedirect(_desk_url(entry.blog_id))
            return self._entry_page(
                request,
                "admin/liveblog/entry/retract.html",
                form.entry,
                form=form,
                newer=newer,
                title=f"Retract: {entry}",
            )

    def flags_view(self, request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
        """Pin, unpin, mark or unmark as a key event (the desk's small buttons)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self._entry_for(request, entry_id)
        flag = ENTRY_FLAGS.get(request.POST.get("action", ""))
        if flag is None:
            return HttpResponseBadRequest(f"The action must be one of {', '.join(ENTRY_FLAGS)}.")
        command, done = flag
        try:
            command(entry=entry.pk, actor=_actor(request))
        except LiveblogError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{done}: “{entry}”.")
        return _redirect_back(request, _desk_url(entry.blog_id))


@admin.register(Event)
class EventAdmin(MembershipAdmin):
    """The log, read-only for everyone, superusers included: no add, change or delete."""

    list_display = ["seq", "blog", "type", "entry_link", "occurred_at", "recorded_at", "actor"]
    list_filter = [("blog", admin.RelatedOnlyFieldListFilter), "type", "actor"]
    search_fields = ["payload", "actor", "entry_id", "type"]
    list_select_related = ["blog"]
    ordering = ["-pk"]
    fields = [
        "blog",
        "seq",
        "type",
        "entry_link",
        "schema_version",
        "occurred_at",
        "recorded_at",
        "actor",
        "payload_json",
    ]
    readonly_fields = fields
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
