"""Atom feeds: a blog's updates (``/blogs/<slug>/feed/``) and its corrections
(``/blogs/<slug>/corrections/feed/``), newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import format_html

from liveblog import corrections, selectors
from liveblog.api.serializers import MediaSerializer
from liveblog.corrections import Change
from liveblog.errors import BlogNotFoundError
from liveblog.models import Blog, Entry
from liveblog.templatetags.liveblog_reader import entry_title
from liveblog.views import cached_briefly


class _BlogAtomFeed(Feed):
    """An Atom feed of a blog the reader may see (404 otherwise), cached as its page is."""

    feed_type = Atom1Feed
    # An entry's id stays its UUID whatever happens to its text or the site's address.
    item_guid_is_permalink = False

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return cached_briefly(super().__call__(request, *args, **kwargs), request)

    def get_object(self, request: HttpRequest, slug: str) -> Blog:
        try:
            return selectors.blog_get(slug=slug, user=request.user)
        except BlogNotFoundError as exc:
            raise Http404(exc.message) from None


class BlogFeed(_BlogAtomFeed):
    """Entries as readers see them now: corrected text, retraction notices, the same links."""

    def get_object(self, request: HttpRequest, slug: str) -> Blog:
        blog = super().get_object(request, slug)
        # Enclosures need absolute URLs; the blog object is this request's own (an attribute
        # for this response only, which the model does not declare).
        blog.feed_base_url = request.build_absolute_uri("/")  # type: ignore[attr-defined]
        return blog

    def title(self, blog: Blog) -> str:
        return blog.title

    def subtitle(self, blog: Blog) -> str | None:
        return blog.description or None

    def link(self, blog: Blog) -> str:
        return blog.get_absolute_url()

    def feed_url(self, blog: Blog) -> str:
        return reverse("liveblog:feed", kwargs={"slug": blog.slug})

    def author_name(self, blog: Blog) -> str:
        # Atom wants an author for the feed; each entry names its own (item_author_name).
        return blog.title

    def item_author_name(self, entry: Entry) -> str | None:
        """The byline's name (``liveblog.bylines``); none for an entry that names nobody."""
        return entry.author_name or None

    def item_categories(self, entry: Entry) -> list[str]:
        return list(entry.labels)

    def items(self, blog: Blog) -> list[Entry]:
        entries = list(selectors.entries_for_blog(blog)[: selectors.READER_PAGE_SIZE])
        for entry in entries:
            # Each item's link needs its blog's slug, and enclosures its feed_base_url.
            entry.blog = blog
        return entries

    def item_title(self, entry: Entry) -> str:
        return entry_title(entry)

    def item_description(self, entry: Entry) -> str:
        if entry.is_retracted:
            return format_html("<p>Retracted: {}</p>", entry.retraction_reason)
        return entry.body_html

    def item_enclosures(self, entry: Entry) -> list[Enclosure]:
        """The entry's images (widest rendition), so feed readers can show them."""
        if entry.is_retracted:
            return []
        base = getattr(entry.blog, "feed_base_url", "/")
        return [
            Enclosure(urljoin(base, item["url"]), str(size), item["content_type"])
            for item, size in zip(
                (MediaSerializer.represent(media) for media in entry.media),
                (media["files"][-1]["size"] for media in entry.media),
                strict=True,
            )
        ]

    def item_link(self, entry: Entry) -> str:
        return entry.get_absolute_url()

    def item_guid(self, entry: Entry) -> str:
        return f"urn:uuid:{entry.id}"

    def item_pubdate(self, entry: Entry) -> datetime:
        return entry.occurred_at

    def item_updateddate(self, entry: Entry) -> datetime:
        return entry.updated_at


class CorrectionsFeed(_BlogAtomFeed):
    """A blog's corrections and retractions, newest first, as its corrections page lists them."""

    def title(self, blog: Blog) -> str:
        return f"Corrections: {blog.title}"

    def subtitle(self, blog: Blog) -> str:
        return f"Every correction and retraction of {blog.title}, newest first."

    def link(self, blog: Blog) -> str:
        return reverse("liveblog:corrections", kwargs={"slug": blog.slug})

    def feed_url(self, blog: Blog) -> str:
        return reverse("liveblog:corrections_feed", kwargs={"slug": blog.slug})

    def author_name(self, blog: Blog) -> str:
        return blog.title

    def items(self, blog: Blog) -> list[Change]:
        return corrections.changes_page(blog)[0]

    def item_title(self, change: Change) -> str:
        if change.is_retraction:
            return "Retracted: an update was withdrawn"
        return f"Corrected: {entry_title(change.entry)}"

    def item_description(self, change: Change) -> str:
        if change.is_retraction:
            return format_html("<p>Retracted: {}</p>", change.reason)
        if change.withheld:
            return "<p>Corrected. The update was retracted later, so what changed is withheld.</p>"
        headline = (
            format_html("<p>Headline: {}</p>", change.headline_change)
            if change.headline_change
            else ""
        )
        return format_html(
            "<p>{}</p>{}<p>{}</p>", change.reason, headline, change.body_change or ""
        )

    def item_link(self, change: Change) -> str:
        return f"{self.link(change.entry.blog)}#{change.anchor}"

    def item_guid(self, change: Change) -> str:
        return change.guid

    def item_pubdate(self, change: Change) -> datetime:
        return change.at

    def item_updateddate(self, change: Change) -> datetime:
        return change.at
