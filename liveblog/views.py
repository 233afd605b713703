"""Reader pages (thin: selectors fetch, templates render).

Every page works without JavaScript; ``static/liveblog/live.js`` then applies pushed events
in place and loads "older updates" through the ``blog_updates`` fragment.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import urlencode
from django.views.decorators.http import etag, require_safe

from liveblog import caching, media, selectors
from liveblog.errors import BlogNotFoundError, EntryNotFoundError
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


def _query(view: str, before: int | None) -> str:
    params: dict[str, str | int] = {} if before is None else {"before": before}
    if view == KEY_EVENTS:
        params["view"] = KEY_EVENTS
    return f"?{urlencode(params)}" if params else ""


def _timeline(request: HttpRequest, blog: Blog) -> dict[str, Any]:
    """One page of the blog's timeline (all updates or key events) and its navigation."""
    view = KEY_EVENTS if request.GET.get("view") == KEY_EVENTS else "all"
    raw_before = request.GET.get("before")
    before = whole_number(raw_before)
    if raw_before is not None and before is None:
        raise Http404("'before' must be the seq of an entry, as in the 'Older updates' link.")
    try:
        entries, next_before = selectors.reader_page(
            blog, key_events_only=view == KEY_EVENTS, before=before
        )
    except EntryNotFoundError as exc:
        raise Http404(exc.message) from None
    first_page = before is None
    blog_url = blog.get_absolute_url()
    updates_url = reverse("liveblog:updates", kwargs={"slug": blog.slug})
    return {
        "blog": blog,
        "view": view,
        "first_page": first_page,
        # Pinned entries sit above the timeline on its first page only, so never twice.
        "pinned": list(selectors.entries_pinned(blog)) if first_page and view == "all" else [],
        "entries": entries,
        "older_url": blog_url + _query(view, next_before) if next_before else None,
        "older_fragment_url": updates_url + _query(view, next_before) if next_before else None,
        "all_url": blog_url,
        "key_events_url": blog_url + _query(KEY_EVENTS, None),
    }


@_reader_page
def blog_list(request: HttpRequest) -> HttpResponse:
    """Public blogs, live ones first."""
    return render(request, "liveblog/blog_list.html", {"blogs": selectors.blogs_for_readers()})


@_reader_page
def blog_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The reader page: complete without JavaScript, then kept live by live.js."""
    # The blog (and so last_seq) is read before the entries: whatever commits in between is
    # already on the page *and* replayed after last_seq, and the client applies it once.
    blog = _blog_or_404(request, slug)
    context = _timeline(request, blog)
    context["live_config"] = {
        "slug": blog.slug,
        "title": blog.title,
        "lastSeq": blog.last_seq,
        "timeZone": blog.time_zone,
        "live": blog.is_public,
        "view": context["view"],
        "firstPage": context["first_page"],
        "socketPath": f"/ws/blogs/{blog.slug}/",
        "blogUrl": context["all_url"],
        "updatesUrl": reverse("liveblog:updates", kwargs={"slug": blog.slug}),
        "entryUrl": reverse(
            "liveblog:entry", kwargs={"slug": blog.slug, "entry_id": _ENTRY_URL_PLACEHOLDER}
        ),
        "entryUrlPlaceholder": str(_ENTRY_URL_PLACEHOLDER),
    }
    return render(request, "liveblog/blog.html", context)


@_reader_page
def blog_updates(request: HttpRequest, slug: str) -> HttpResponse:
    """The timeline alone, as an HTML fragment: "older updates" and the key events toggle."""
    blog = _blog_or_404(request, slug)
    return render(request, "liveblog/_timeline.html", _timeline(request, blog))


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
        {"blog": blog, "entry": entry, "revisions": list(selectors.entry_revisions(entry))},
    )


_MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


@require_safe
@etag(lambda request, name: name)
def media_file(request: HttpRequest, name: str) -> FileResponse:
    """A stored image, when files are local: cached for ever, since its name is its digest."""
    if not (media.is_local() and media.is_valid_name(name)):
        raise Http404("There is no such image.")
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("There is no such image.") from None
    response = FileResponse(handle, content_type=_MEDIA_TYPES[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = media.IMMUTABLE_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, an image is still never a document that could run anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
