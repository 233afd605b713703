"""The live desk: a blog's composer, its preview, its queues and its entries, on one page.

Publishing goes through ``commands.entry_publish_once``, the command the API calls: it says
whether the form's entry was published now or had been already (a form sent twice). A
contributor's form sends the update for approval instead (``commands.desk_write``), as the
API does: a contributor never publishes. An editor's form also saves a draft or schedules
the update; the queues of unpublished updates under it are ``liveblog.admin.queues``'s. The
entries under those page back in time and can be searched (``?page=``, ``?q=``).
"""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from liveblog import access, bylines, commands, content, selectors
from liveblog.admin.base import MembershipAdmin, actor, desk_url
from liveblog.admin.queues import DeskQueues
from liveblog.desk_forms import ComposerForm
from liveblog.errors import LiveblogError
from liveblog.forms import add_domain_error
from liveblog.models import Blog, DeskEntry, Entry

#: How many entries the live desk lists under the form.
DESK_ENTRIES = 50


class DeskAdmin(DeskQueues, MembershipAdmin):
    """The desk's pages, under the blog admin's URLs (``BlogAdmin`` is a ``DeskAdmin``)."""

    def desk_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:blog_id>/desk/", view(self.desk_view), name="liveblog_blog_desk"),
            path(
                "<int:blog_id>/desk/preview/",
                view(self.preview_view),
                name="liveblog_blog_preview",
            ),
            *self.queue_urls(),
        ]

    def blog_for(self, request: HttpRequest, blog_id: int) -> Blog:
        """The blog, if the user is a member (404 for other blogs, as everywhere)."""
        blog = self.get_object(request, str(blog_id))
        if not self.has_view_permission(request, blog):
            raise PermissionDenied
        return cast(Blog, blog)  # this admin's model

    @admin.display(description="Live desk")
    def desk_link(self, blog: Blog) -> SafeString:
        return format_html('<a href="{}">Open the desk</a>', desk_url(blog.pk))

    def desk_view(self, request: HttpRequest, blog_id: int) -> HttpResponse:
        """The append form, its preview and the latest entries, on one page."""
        blog = self.blog_for(request, blog_id)
        can_publish = access.may(request.user, blog, access.Action.PUBLISH)
        can_submit = access.may(request.user, blog, access.Action.SUBMIT)
        preview: SafeString | None = None
        preview_warnings: list[dict[str, str]] = []
        listing = self.listing(request)
        own_byline = bylines.of_user(request.user)

        def composer(*data: object) -> ComposerForm:
            return ComposerForm(*data, blog=blog, own_byline=own_byline, editor=can_publish)

        with timezone.override(blog.zone):
            form = composer()
            if request.method == "POST":
                if not can_submit:
                    raise PermissionDenied
                form = composer(request.POST)
                saving = "_draft" in request.POST or "_schedule" in request.POST
                if form.is_valid():
                    if "_preview" in request.POST:
                        html, preview_warnings = content.preview(
                            blog_id=blog.pk, body=form.cleaned_data["body"]
                        )
                        # Sanitized by markup.analyse (nh3), so it may be shown as is.
                        preview = mark_safe(html)
                    elif can_publish and saving:
                        if saved := self.save_unpublished(request, blog, form):
                            return saved
                    elif can_publish and form.cleaned_data.get("publish_at"):
                        form.add_error(
                            "publish_at",
                            "You chose a time to publish it: press “Schedule”, or clear the "
                            "time to publish now.",
                        )
                    elif can_publish and (published := self._publish(request, blog, form)):
                        return published
                    elif not can_publish and (submitted := self._submit(request, blog, form)):
                        return submitted
            context = self.admin_context(
                request,
                title=f"Live desk: {blog.title}",
                blog=blog,
                form=form,
                preview=preview,
                preview_warnings=preview_warnings,
                can_publish=can_publish,
                can_submit=can_submit,
                can_change_entries=access.may(request.user, blog, access.Action.CHANGE_ENTRIES),
                can_change_blog=self.has_change_permission(request, blog),
                **self.entries_page(request, blog),
                # The live script re-reads the page of entries (or the search) shown.
                live_url=f"{desk_url(blog.pk)}?{urlencode({**listing, 'live': '1'})}",
                queues=self.queues(request, blog),
            )
            # ``?live=1``: the desk's live script re-reading its lists (``desk_live.js``).
            live = request.method == "GET" and "live" in request.GET
            template = "desk_live.html" if live else "desk.html"
            return TemplateResponse(request, f"admin/liveblog/blog/{template}", context).render()

    def listing(self, request: HttpRequest) -> dict[str, str]:
        """Which entries the desk shows: ``q`` (a search) and ``page``, as asked."""
        return {key: request.GET[key] for key in ("q", "page") if request.GET.get(key)}

    def entries_page(self, request: HttpRequest, blog: Blog) -> dict[str, object]:
        """The desk's entries: the newest, an older page (``?page=``), or a search (``?q=``)."""
        search = request.GET.get("q", "").strip()[:200]
        entries = selectors.entries_for_blog(blog)
        if search:
            entries = entries.filter(Q(body__icontains=search) | Q(headline__icontains=search))
        page = Paginator(entries, DESK_ENTRIES).get_page(request.GET.get("page"))
        return {"entries": page.object_list, "entries_page": page, "search": search}

    def _publish(self, request: HttpRequest, blog: Blog, form: ComposerForm) -> HttpResponse | None:
        writing = form.writing()
        try:
            published = commands.entry_publish_once(
                blog=blog,
                actor=actor(request),
                publication=writing.publication(entry_id=form.cleaned_data["entry_id"]),
            )
        except LiveblogError as exc:
            add_domain_error(form, exc)
            return None
        if published.created:
            messages.success(request, f"Published: “{published.entry}”. Readers have it now.")
            warn_unseen(request, published.entry)
        else:
            messages.info(request, "That update was already published (sent twice); see below.")
        return HttpResponseRedirect(desk_url(blog.pk))

    def _submit(self, request: HttpRequest, blog: Blog, form: ComposerForm) -> HttpResponse | None:
        """A contributor's update: it waits for an editor's approval."""
        try:
            written = commands.desk_write(
                blog=blog,
                actor=actor(request),
                writing=form.writing(),
                status=DeskEntry.Status.SUBMITTED,
                entry_id=form.cleaned_data["entry_id"],
            )
        except LiveblogError as exc:
            add_domain_error(form, exc)
            return None
        if written.created:
            messages.success(
                request,
                f"Sent for approval: “{written.entry}”. An editor publishes it or sends it back.",
            )
            warn_unseen(request, written.entry)
        else:
            messages.info(request, "That update was already sent (sent twice).")
        return HttpResponseRedirect(desk_url(blog.pk))

    def preview_view(self, request: HttpRequest, blog_id: int) -> HttpResponse:
        """The body as readers will see it, and what they will not: the desk's live preview.

        JSON: ``html`` (sanitized, with the blog's images and embed cards) and ``warnings``
        (``code`` and ``message`` for each thing readers will not get as written).
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        blog = self.blog_for(request, blog_id)
        html, warnings = content.preview(blog_id=blog.pk, body=request.POST.get("body", ""))
        return JsonResponse({"html": html, "warnings": warnings})


def warn_unseen(request: HttpRequest, entry: Entry | DeskEntry) -> None:
    """Tell the editor, once it is saved, what readers will not get of the entry's text."""
    for warning in content.warnings_for(entry.body, media=entry.media, embeds=entry.embeds):
        messages.warning(request, warning["message"])
