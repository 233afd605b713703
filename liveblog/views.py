"""Reader pages (thin: selectors fetch, templates render).

Every page works without JavaScript; ``static/liveblog/live.js`` then applies pushed events
in place and loads "older updates" through the ``blog_updates`` fragment.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import quote_etag, urlencode
from django.views.decorators.http import require_safe

from liveblog import access, caching, corrections, history, media, params, selectors
from liveblog.errors import BlogNotFoundError, EntryNotFoundError
from liveblog.events import INVISIBLE_CONTROLS, MAX_LABEL_LENGTH
from liveblog.models import Blog
from liveblog.params import whole_number

KEY_EVENTS = "key-events"
_ENTRY_URL_PLACEHOLDER = uuid.UUID(int=0)


def cached_briefly(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """Let caches keep a public page for a few seconds, and check it by its content after.

    A page is a projection that any event may change, so its lifetime is short
    (``liveblog.caching``); what a signed-in editor sees (drafts) is theirs alone. The ETag
    is a digest of the page itself, so a new deploy's template changes it too, and a cache
    revalidating an unchanged page gets a bodiless 304.
    """
    caching.reader_page(response, request)
    if response.status_code != 200 or response.streaming:
        return response
    set_response_etag(response)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional if isinstance(conditional, HttpResponse) else response


def _reader_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return cached_briefly(view(request, *args, **kwargs), request)

    return require_safe(wrapped)


def _blog_or_404(request: HttpRequest, slug: str) -> Blog:
    try:
        return selectors.blog_get(slug=slug, user=request.user)
    except BlogNotFoundError as exc:
        raise Http404(exc.message) from None


class _BadQuery(Exception):
    """A query parameter the page cannot read; the message says which and how to write it."""


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "liveblog/bad_request.html", {"message": message}, status=400)


def _query(view: str, before: int | None, at: str | None = None, label: str | None = None) -> str:
    params: dict[str, str | int] = {} if before is None else {"before": before}
    if view == KEY_EVENTS:
        params["view"] = KEY_EVENTS
    if at is not None:
        params["at"] = at
    if label:
        params["label"] = label
    return f"?{urlencode(params)}" if params else ""


def _label(request: HttpRequest) -> str | None:
    """The ``?label=`` a reader filters by; 404 for one no blog could offer."""
    label = request.GET.get("label")
    if not label:
        return None
    if len(label) > MAX_LABEL_LENGTH or INVISIBLE_CONTROLS.search(label):
        raise Http404("There is no such label.")
    if "at" in request.GET:
        raise _BadQuery(
            "'label' and 'at' do not go together yet: the page as it stood shows every update."
        )
    return label


def _moment(request: HttpRequest, blog: Blog) -> datetime | None:
    """``?at=``: the moment a page as it stood shows, or None for the page now."""
    text = request.GET.get("at")
    if text is None:
        return None
    at = params.moment(text, zone=blog.zone)
    if at is None:
        raise _BadQuery(
            f"'at' must be a date and time such as 2023-09-19T14:05 (in the blog's time "
            f"zone, {blog.time_zone}) or with its offset, 2023-09-19T14:05+04:00; "
            f"{text[:40]!r} is not one."
        )
    if at > timezone.now():
        raise _BadQuery("'at' is in the future: the page as it is now has no 'at'.")
    return at


def _timeline(request: HttpRequest, blog: Blog) -> dict[str, Any]:
    """One page of the blog's timeline (all updates or key events) and its navigation."""
    view = KEY_EVENTS if request.GET.get("view") == KEY_EVENTS else "all"
    label = _label(request)
    raw_before = request.GET.get("before")
    before = whole_number(raw_before)
    if raw_before is not None and before is None:
        raise Http404("'before' must be the seq of an entry, as in the 'Older updates' link.")
    at = _moment(request, blog)
    # The moment in the links as the server reads it, so every link names the same one.
    at_text = timezone.localtime(at, blog.zone).isoformat() if at else None
    past = None
    try:
        if at is None:
            entries, next_before = selectors.reader_page(
                blog, key_events_only=view == KEY_EVENTS, before=before, label=label
            )
        else:
            past = history.page_at(
                blog,
                at,
                key_events_only=view == KEY_EVENTS,
                before=before,
                size=selectors.READER_PAGE_SIZE,
            )
            entries, next_before = past.entries, past.next_before
    except EntryNotFoundError as exc:
        raise Http404(exc.message) from None
    first_page = before is None
    blog_url = blog.get_absolute_url()
    updates_url = reverse("liveblog:updates", kwargs={"slug": blog.slug})
    if past is not None:
        pinned = past.pinned
    elif first_page and view == "all":
        # Pinned entries sit above the timeline on its first page only, so never twice.
        pinned = list(
            selectors.with_label(selectors.entries_pinned(blog), blog, label)
            if label
            else selectors.entries_pinned(blog)
        )
    else:
        pinned = []
    return {
        "blog": blog,
        "view": view,
        "label": label,
        "first_page": first_page,
        "pinned": pinned,
        "entries": entries,
        "past": past,
        "later": past.later if past else None,
        "now": timezone.now(),
        "older_url": (
            blog_url + _query(view, next_before, at_text, label) if next_before else None
        ),
        "older_fragment_url": (
            updates_url + _query(view, next_before, at_text, label) if next_before else None
        ),
        "all_url": blog_url + _query("all", None, at_text),
        "key_events_url": blog_url + _query(KEY_EVENTS, None, at_text),
        # The present page's label filters.
        "label_urls": [(name, blog_url + _query(view, None, None, name)) for name in blog.labels],
    }


@_reader_page
def blog_list(request: HttpRequest) -> HttpResponse:
    """Public blogs, live ones first."""
    return render(request, "liveblog/blog_list.html", {"blogs": selectors.blogs_for_readers()})


#: Key events in the box at the top of the page; the key events view lists them all.
KEY_EVENTS_IN_BOX = 5


def _key_events_box(blog: Blog, context: dict[str, Any]) -> dict[str, Any]:
    """The latest key events for the top of the page, each linked where the reader finds it."""
    if context["view"] != "all" or not context["first_page"] or context["past"]:
        return {}
    latest = list(selectors.entries_key_events(blog)[: KEY_EVENTS_IN_BOX + 1])
    on_page = {entry.id for entry in (*context["pinned"], *context["entries"])}
    return {
        "key_events": latest[:KEY_EVENTS_IN_BOX],
        "key_events_more": len(latest) > KEY_EVENTS_IN_BOX,
        "key_events_on_page": on_page,
    }


@_reader_page
def blog_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The reader page: complete without JavaScript, then kept live by live.js.

    With ``?at=`` it is the page as it stood at that moment, rebuilt from the log
    (``liveblog.history``), and stays still.
    """
    # The blog (and so last_seq) is read before the entries: whatever commits in between is
    # already on the page *and* replayed after last_seq, and the client applies it once.
    blog = _blog_or_404(request, slug)
    try:
        context = _timeline(request, blog)
    except _BadQuery as exc:
        return _bad_request(request, str(exc))
    context.update(_key_events_box(blog, context))
    context["state"] = context["past"].blog if context["past"] else blog
    context["page_url"] = request.build_absolute_uri(blog.get_absolute_url())
    context["contributors"] = selectors.blog_contributors(blog)
    context["live_config"] = {
        "slug": blog.slug,
        "title": blog.title,
        "lastSeq": blog.last_seq,
        "timeZone": blog.time_zone,
        # A page filtered by label is not followed live: pushed updates are every update.
        "live": blog.is_public and not context["label"],
        "status": blog.status,
        "view": context["view"],
        "label": context["label"],
        "firstPage": context["first_page"],
        "socketPath": f"/ws/blogs/{blog.slug}/",
        # The push channel's heartbeat: a socket silent for 2.5 times this is dead (connection.js).
        "heartbeatMs": round(settings.LIVEBLOG_HEARTBEAT_SECONDS * 1000),
        "blogUrl": context["all_url"],
        "updatesUrl": reverse("liveblog:updates", kwargs={"slug": blog.slug}),
        "entryUrl": reverse(
            "liveblog:entry", kwargs={"slug": blog.slug, "entry_id": _ENTRY_URL_PLACEHOLDER}
        ),
        "entryUrlPlaceholder": str(_ENTRY_URL_PLACEHOLDER),
        "correctionsUrl": reverse("liveblog:corrections", kwargs={"slug": blog.slug}),
        # Where the client polls when it cannot hold a WebSocket (live/polling.js).
        "poll": {
            "api": reverse("api:blog-detail", kwargs={"slug": blog.slug}),
            "limit": caching.POLL_PAGE_LIMIT,
            "intervalMs": caching.POLL_SECONDS * 1000,
        },
    }
    return render(request, "liveblog/blog.html", context)


@_reader_page
def blog_updates(request: HttpRequest, slug: str) -> HttpResponse:
    """The timeline alone, as an HTML fragment: "older updates" and the key events toggle."""
    blog = _blog_or_404(request, slug)
    try:
        context = _timeline(request, blog)
    except _BadQuery as exc:
        return _bad_request(request, str(exc))
    return render(request, "liveblog/_timeline.html", context)


@_reader_page
def entry_page(request: HttpRequest, slug: str, entry_id: str) -> HttpResponse:
    """An entry's stand-alone page (its permalink), with every revision it went through."""
    blog = _blog_or_404(request, slug)
    try:
        entry = selectors.entry_get(blog=blog, entry_id=entry_id)
    except EntryNotFoundError as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "liveblog/entry.html",
        {
            "blog": blog,
            "entry": entry,
            "entry_list": [entry],
            "revisions": list(selectors.entry_revisions(entry)),
            "page_url": request.build_absolute_uri(entry.get_absolute_url()),
        },
    )


@_reader_page
def corrections_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every correction and retraction of a blog, newest first (``liveblog.corrections``)."""
    blog = _blog_or_404(request, slug)
    raw_before = request.GET.get("before")
    before = whole_number(raw_before)
    if raw_before is not None and before is None:
        raise Http404("'before' must be a seq, as in the 'Older corrections' link.")
    try:
        changes, next_before = corrections.changes_page(blog, before=before)
    except EntryNotFoundError as exc:
        raise Http404(exc.message) from None
    corrections_url = reverse("liveblog:corrections", kwargs={"slug": blog.slug})
    return render(
        request,
        "liveblog/corrections.html",
        {
            "blog": blog,
            "changes": changes,
            "first_page": before is None,
            "corrections_url": corrections_url,
            "older_url": f"{corrections_url}?before={next_before}" if next_before else None,
        },
    )


_MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


#: How long the answer that a file was withdrawn may be kept: a live entry may show it again.
WITHDRAWN_CACHE_CONTROL = "public, max-age=60"


@require_safe
def media_file(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """A stored image, when files are local: cached for ever, since its name is its digest.

    410 Gone once every entry that showed it is retracted (``selectors.media_withdrawn_from``),
    checked before any conditional answer: a withdrawn file is never confirmed as current.
    The blogs' members still get it, uncached, to review the retraction.
    """
    if not (media.is_local() and media.is_valid_name(name)):
        raise Http404("There is no such image.")
    withdrawn_from = selectors.media_withdrawn_from(name)
    private = bool(withdrawn_from)
    if private and not access.may_see_withdrawn(request.user, withdrawn_from):
        gone = HttpResponse(
            "This image was withdrawn with the update that showed it.",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
        gone["Cache-Control"] = WITHDRAWN_CACHE_CONTROL
        return gone
    tag = quote_etag(name)
    if not private and (not_modified := get_conditional_response(request, etag=tag)):
        return not_modified
    if settings.LIVEBLOG_MEDIA_ACCEL_REDIRECT and not private:
        # nginx sends the file from disk, with the headers its internal location adds.
        accel = HttpResponse(content_type=_MEDIA_TYPES[name.rsplit(".", 1)[1]])
        accel["X-Accel-Redirect"] = f"{settings.LIVEBLOG_MEDIA_ACCEL_REDIRECT}{name}"
        return accel
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("There is no such image.") from None
    response = FileResponse(handle, content_type=_MEDIA_TYPES[name.rsplit(".", 1)[1]])
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, an image is still never a document that could run anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if private:
        response["Cache-Control"] = "private, no-store"
    else:
        response["Cache-Control"] = media.IMMUTABLE_CACHE_CONTROL
        response["ETag"] = tag
    return response
