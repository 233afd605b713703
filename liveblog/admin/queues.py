"""The desk's queues: drafts, the schedule, submissions awaiting approval, and a contributor's
own updates with their outcome; the composer's "Save as draft" and "Schedule"; an unpublished
update's own page, where it is changed, published, rescheduled or returned.

Every button is one of the desk's commands (``commands.desk_*``), the functions the API
calls, asked of ``access.may`` first: editors publish, schedule, approve and return;
a contributor changes their own update while it waits, and sees what became of it.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
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

from liveblog import access, commands, selectors
from liveblog.admin.base import actor, desk_url, redirect_back
from liveblog.desk_forms import ComposerForm, ReturnForm, UnpublishedForm
from liveblog.errors import EntryNotFoundError, LiveblogError
from liveblog.forms import add_domain_error
from liveblog.models import Blog, DeskEntry

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

#: How many updates each queue lists (the oldest further down are in the API's lists).
QUEUE_LENGTH = 30


@dataclasses.dataclass(frozen=True)
class Queue:
    """One list on the desk: its anchor, its heading, what it says when empty, its updates."""

    key: str
    title: str
    empty: str
    items: list[DeskEntry]


def unpublished_url(item: DeskEntry) -> str:
    return reverse("admin:liveblog_blog_unpublished", args=[item.blog_id, item.pk])


class DeskQueues:
    """The queues' pages, under the blog admin's URLs (mixed into ``DeskAdmin``)."""

    admin_site: AdminSite

    if TYPE_CHECKING:

        def blog_for(self, request: HttpRequest, blog_id: int) -> Blog: ...

        def admin_context(self, request: HttpRequest, **context: Any) -> dict[str, Any]: ...

    def queue_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:blog_id>/desk/updates/<uuid:item_id>/",
                view(self.unpublished_view),
                name="liveblog_blog_unpublished",
            ),
            path(
                "<int:blog_id>/desk/updates/<uuid:item_id>/<slug:action>/",
                view(self.unpublished_action_view),
                name="liveblog_blog_unpublished_action",
            ),
        ]

    # --- On the desk --------------------------------------------------------------------

    def queues(self, request: HttpRequest, blog: Blog) -> list[Queue]:
        """The desk's queues for this user: an editor's three, or a contributor's own."""
        mine = selectors.desk_entries(blog, request.user)
        if not access.may(request.user, blog, access.Action.PUBLISH):
            return [
                Queue(
                    "mine",
                    "Your updates",
                    "Nothing sent yet: what you submit waits here for an editor.",
                    list(mine[:QUEUE_LENGTH]),
                )
            ]

        def listed(entries: QuerySet[DeskEntry]) -> list[DeskEntry]:
            return list(entries[:QUEUE_LENGTH])

        status = DeskEntry.Status
        return [
            Queue(
                "submitted",
                "Awaiting approval",
                "No submissions waiting.",
                listed(mine.filter(status=status.SUBMITTED).order_by("created_at")),
            ),
            Queue(
                "drafts",
                "Drafts",
                "No drafts. “Save as draft” keeps an update here, on every device.",
                listed(mine.filter(status=status.DRAFT)),
            ),
            Queue(
                "scheduled",
                "Scheduled",
                "Nothing scheduled.",
                listed(selectors.scheduled_updates(blog)),
            ),
            Queue(
                "returned",
                "Returned to contributors",
                "",
                listed(mine.filter(status=status.RETURNED)),
            ),
        ]

    def save_unpublished(
        self, request: HttpRequest, blog: Blog, form: ComposerForm
    ) -> HttpResponse | None:
        """The composer's "Save as draft" and "Schedule" (editors only)."""
        scheduling = "_schedule" in request.POST
        try:
            written = commands.desk_write(
                blog=blog,
                actor=actor(request),
                writing=form.writing(),
                status=DeskEntry.Status.SCHEDULED if scheduling else DeskEntry.Status.DRAFT,
                publish_at=form.cleaned_data.get("publish_at") if scheduling else None,
                entry_id=form.cleaned_data["entry_id"],
            )
        except LiveblogError as exc:
            add_domain_error(form, exc)
            return None
        item = written.entry
        if not written.created:
            messages.info(request, "That update was already saved (sent twice); see below.")
        elif scheduling and item.publish_at is not None:
            when = timezone.localtime(item.publish_at, blog.zone)
            messages.success(
                request,
                f"Scheduled: “{item}” goes out at {when:%H:%M} on {when:%-d %b} "
                f"({blog.time_zone}). Change or cancel it under Scheduled.",
            )
        else:
            messages.success(request, f"Saved as a draft: “{item}”. Resume it under Drafts.")
        return HttpResponseRedirect(desk_url(blog.pk))

    # --- An unpublished update's page ---------------------------------------------------

    def _item(self, request: HttpRequest, blog: Blog, item_id: uuid.UUID) -> DeskEntry:
        try:
            return selectors.desk_entry_get(blog=blog, entry_id=item_id, user=request.user)
        except EntryNotFoundError as exc:
            raise Http404(exc.message) from None

    def unpublished_view(
        self, request: HttpRequest, blog_id: int, item_id: uuid.UUID
    ) -> HttpResponse:
        """Change an unpublished update, and publish, schedule or submit it again."""
        blog = self.blog_for(request, blog_id)
        item = self._item(request, blog, item_id)
        editor = access.may(request.user, blog, access.Action.PUBLISH)
        can_revise = access.may(request.user, blog, access.Action.REVISE, item=item)
        with timezone.override(blog.zone):
            form = UnpublishedForm(item=item, editor=editor)
            if request.method == "POST":
                if not can_revise:
                    raise PermissionDenied
                form = UnpublishedForm(request.POST, item=item, editor=editor)
                if form.is_valid() and (done := self._change(request, blog, item, form, editor)):
                    return done
                item.refresh_from_db()
            context = self.admin_context(
                request,
                title=f"{item.get_status_display()} update: {item}",
                blog=blog,
                item=item,
                form=form,
                editor=editor,
                can_revise=can_revise,
                return_form=ReturnForm(),
            )
            return TemplateResponse(
                request, "admin/liveblog/desk/unpublished.html", context
            ).render()

    def _change(
        self,
        request: HttpRequest,
        blog: Blog,
        item: DeskEntry,
        form: UnpublishedForm,
        editor: bool,
    ) -> HttpResponse | None:
        by = actor(request)
        publish_at = form.cleaned_data.get("publish_at")
        try:
            with transaction.atomic():
                changed = commands.desk_revise(
                    entry=item,
                    actor=by,
                    writing=form.writing(),
                    based_on_revision=form.cleaned_data["based_on_revision"],
                    resubmit=not editor,
                )
                if editor and "_publish" in request.POST:
                    published = commands.desk_publish(entry=changed, actor=by)
                    messages.success(
                        request, f"Published: “{published.entry}”. Readers have it now."
                    )
                    return HttpResponseRedirect(desk_url(blog.pk))
                if editor and "_unschedule" in request.POST:
                    commands.desk_schedule(entry=changed, actor=by, publish_at=None)
                    messages.success(request, f"“{changed}” is a draft again; nothing is queued.")
                    return HttpResponseRedirect(desk_url(blog.pk))
                rescheduled = changed.status == DeskEntry.Status.SCHEDULED and (
                    publish_at != changed.publish_at
                )
                if editor and ("_schedule" in request.POST or rescheduled):
                    if publish_at is None:
                        form.add_error("publish_at", "Choose when to publish it.")
                        transaction.set_rollback(True)
                        return None
                    changed = commands.desk_schedule(entry=changed, actor=by, publish_at=publish_at)
                    when = timezone.localtime(publish_at, blog.zone)
                    messages.success(
                        request,
                        f"Scheduled: “{changed}” goes out at {when:%H:%M} on {when:%-d %b} "
                        f"({blog.time_zone}).",
                    )
                    return HttpResponseRedirect(desk_url(blog.pk))
        except LiveblogError as exc:
            add_domain_error(form, exc)
            return None
        if changed.status == DeskEntry.Status.SUBMITTED and not editor:
            messages.success(request, f"Sent for approval: “{changed}”.")
        else:
            messages.success(request, f"Saved: “{changed}”.")
        return HttpResponseRedirect(desk_url(blog.pk))

    def unpublished_action_view(
        self, request: HttpRequest, blog_id: int, item_id: uuid.UUID, action: str
    ) -> HttpResponse:
        """The queues' buttons: publish (approve), return with a note, unschedule, cancel."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        blog = self.blog_for(request, blog_id)
        item = self._item(request, blog, item_id)
        by = actor(request)
        needs = access.Action.REVISE if action == "cancel" else access.Action.PUBLISH
        if action not in ("publish", "return", "unschedule", "cancel"):
            raise Http404(f"The desk has no action {action!r}.")
        if not access.may(request.user, blog, needs, item=item):
            raise PermissionDenied
        try:
            if action == "publish":
                published = commands.desk_publish(entry=item, actor=by)
                if published.created:
                    messages.success(request, f"Published: “{item}”. Readers have it now.")
                else:
                    messages.info(request, f"“{item}” was already published.")
            elif action == "return":
                note = ReturnForm(request.POST)
                if not note.is_valid():
                    messages.error(
                        request, "Nothing was returned: write a note saying what to change."
                    )
                else:
                    commands.desk_return(entry=item, actor=by, note=note.cleaned_data["note"])
                    messages.success(
                        request, f"Returned “{item}” to {item.written_by}, with your note."
                    )
            elif action == "unschedule":
                commands.desk_schedule(entry=item, actor=by, publish_at=None)
                messages.success(request, f"“{item}” is a draft again; nothing is queued.")
            else:
                commands.desk_cancel(entry=item, actor=by)
                messages.success(request, f"Cancelled: “{item}” will not be published.")
        except LiveblogError as exc:
            messages.error(request, exc.message)
        return redirect_back(request, desk_url(blog.pk))
