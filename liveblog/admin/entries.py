"""Entries: read-only pages with every revision, and the desk's correct, retract and flag views.

Correcting and retracting share one flow (``RevisionChange``): a form based on the revision
the editor opened, a command that refuses it if a colleague changed the entry meanwhile,
and then the form again on top of the newer revision, with the editor's text kept.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from liveblog import access, commands
from liveblog.admin.base import MembershipAdmin, actor, desk_url, redirect_back, render_now
from liveblog.admin.desk import warn_unseen
from liveblog.errors import LiveblogError, StaleRevisionError
from liveblog.forms import CorrectionForm, RetractionForm, RevisionForm, add_domain_error
from liveblog.models import Entry, EntryRevision


class EntryRevisionInline(admin.TabularInline):
    """Every revision, oldest first: what the entry said before each correction."""

    model = EntryRevision
    classes = ["liveblog-revisions"]
    fields = readonly_fields = (
        "number",
        "headline",
        "body",
        "reason",
        "actor",
        "recorded_at",
        "seq",
    )
    ordering = ["number"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@dataclasses.dataclass(frozen=True)
class RevisionChange:
    """A change made against the revision the editor opened: a correction or a retraction."""

    #: The page title's verb; its template is named after it.
    verb: str
    form: type[RevisionForm]
    #: The command, called with the entry, the actor, the revision and ``fields``.
    command: Callable[..., Entry]
    #: The form's fields the command takes, besides the revision.
    fields: tuple[str, ...]
    #: What to tell the editor once it is saved, formatted with ``entry`` and the fields.
    done: str

    @property
    def presence(self) -> str:
        """What the open form tells colleagues: "correcting" or "retracting"."""
        return f"{self.verb.lower().removesuffix('e')}ing"

    @property
    def template(self) -> str:
        return f"admin/liveblog/entry/{self.verb.lower()}.html"

    def run(self, entry: Entry, data: dict[str, Any], by: str) -> Entry:
        changes = {name: data[name] for name in self.fields}
        return self.command(
            entry=entry.pk, actor=by, based_on_revision=data["based_on_revision"], **changes
        )


CORRECT = RevisionChange(
    verb="Correct",
    form=CorrectionForm,
    command=commands.entry_correct,
    fields=("body", "headline", "reason"),
    done="Corrected: “{entry}” ({reason}).",
)
RETRACT = RevisionChange(
    verb="Retract",
    form=RetractionForm,
    command=commands.entry_retract,
    fields=("reason",),
    done="Retracted: “{entry}”.",
)

#: The desk's flag buttons: action name -> (command, what to tell the editor).
ENTRY_FLAGS: dict[str, tuple[Callable[..., Entry], str]] = {
    "pin": (commands.entry_pin, "Pinned"),
    "unpin": (commands.entry_unpin, "Unpinned"),
    "mark_key": (commands.entry_mark_key_event, "Marked as a key event"),
    "unmark_key": (commands.entry_unmark_key_event, "No longer a key event"),
}


#: An entry's state, as the list shows it and its page starts it.
_ENTRY_STATE = ("status", "revision", "pinned", "key_event", "occurred_at", "author")


@admin.register(Entry)
class EntryAdmin(MembershipAdmin):
    """Entries, read-only here: they change only through the desk's correct/retract/flag views."""

    list_display = ["__str__", "blog", *_ENTRY_STATE]
    list_filter = [("blog", admin.RelatedOnlyFieldListFilter), "status", "pinned", "key_event"]
    search_fields = ["headline", "body"]
    list_select_related = ["blog"]
    fields = readonly_fields = (
        "blog",
        "headline",
        "body",
        "rendered",
        *_ENTRY_STATE,
        "published_at",
        "last_corrected_at",
        "correction_reason",
        "retracted_at",
        "retraction_reason",
    )
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
            return render_now(super().change_view(request, object_id, form_url, context))

    def _entry_for(self, request: HttpRequest, entry_id: Any, *, acting: bool = True) -> Entry:
        entry = cast(Entry, self.get_object(request, str(entry_id)))
        if not self.has_view_permission(request, entry):
            raise PermissionDenied
        if acting and not access.may(request.user, entry.blog_id, access.Action.CHANGE_ENTRIES):
            raise PermissionDenied
        return entry

    def _entry_context(self, request: HttpRequest, entry: Entry) -> dict[str, Any]:
        return {
            "blog": entry.blog,
            "entry": entry,
            "desk_url": desk_url(entry.blog_id),
            "can_change_entries": access.may(
                request.user, entry.blog_id, access.Action.CHANGE_ENTRIES
            ),
        }

    # --- Correct and retract ----------------------------------------------------------

    def correct_view(self, request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
        """New text and a reason, checked against the revision the editor started from."""
        return self._revision_change_view(request, entry_id, CORRECT)

    def retract_view(self, request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
        """Withdraw the entry with a reason, if it is still the revision the editor saw."""
        return self._revision_change_view(request, entry_id, RETRACT)

    def _revision_change_view(
        self, request: HttpRequest, entry_id: uuid.UUID, change: RevisionChange
    ) -> HttpResponse:
        entry = self._entry_for(request, entry_id)
        newer: Entry | None = None
        with timezone.override(entry.blog.zone):
            form = change.form(entry=entry)
            if request.method == "POST":
                form = change.form(request.POST, entry=entry)
                # "Show what changes" (``_preview``) shows the differences and saves nothing;
                # the reason is asked for when saving, not before the editor sees the diff.
                if "_preview" in request.POST and "reason" in form.fields:
                    form.fields["reason"].required = False
                if form.is_valid() and "_preview" not in request.POST:
                    data = form.cleaned_data
                    try:
                        changed = change.run(entry, data, actor(request))
                    except StaleRevisionError as exc:
                        # A colleague got there first: show their text, keep the editor's.
                        newer = exc.current
                        form = form.rebased(exc.current)
                        form.add_error(None, exc.message)
                    except LiveblogError as exc:
                        add_domain_error(form, exc)
                    else:
                        messages.success(request, change.done.format(entry=entry, **data))
                        if not changed.is_retracted:
                            warn_unseen(request, changed)
                        return HttpResponseRedirect(desk_url(entry.blog_id))
            context = self.admin_context(
                request,
                **self._entry_context(request, form.entry),
                form=form,
                newer=newer,
                changes=form.changes(),
                title=f"{change.verb}: {entry}",
                # What the desk's presence bar says this editor is doing (desk_live.html).
                presence=change.presence,
            )
            return TemplateResponse(request, change.template, context).render()

    # --- Flags ------------------------------------------------------------------------

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
            command(entry=entry.pk, actor=actor(request))
        except LiveblogError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{done}: “{entry}”.")
        return redirect_back(request, desk_url(entry.blog_id))
