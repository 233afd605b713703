"""Reader pages (thin: selectors fetch, templates render)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from liveblog import selectors
from liveblog.errors import BlogNotFoundError, EntryNotFoundError


def blog_list(request: HttpRequest) -> HttpResponse:
    return render(request, "liveblog/blog_list.html", {"blogs": selectors.blogs_for_readers()})


def blog_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        blog = selectors.blog_get(slug=slug, user=request.user)
    except BlogNotFoundError as exc:
        raise Http404(exc.message) from None
    entries = selectors.entries_for_blog(blog)
    return render(request, "liveblog/blog.html", {"blog": blog, "entries": entries[:50]})


def entry_page(request: HttpRequest, slug: str, entry_id: str) -> HttpResponse:
    try:
        blog = selectors.blog_get(slug=slug, user=request.user)
        entry = selectors.entry_get(blog=blog, entry_id=entry_id)
    except (BlogNotFoundError, EntryNotFoundError) as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "liveblog/entry.html",
        {"blog": blog, "entry": entry, "revisions": selectors.entry_revisions(entry)},
    )
