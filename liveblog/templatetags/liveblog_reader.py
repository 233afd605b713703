"""Presentation helpers for the reader pages and the Atom feed.

Times are shown in the blog's time zone: templates wrap the page in ``{% timezone %}`` and
these filters read the active zone, the same way Django's own ``date`` filter does.
"""

from __future__ import annotations

import functools
import html
import json
import uuid
from datetime import datetime
from typing import Any

import nh3
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from liveblog.models import Blog, Entry

register = template.Library()
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})

#: Search engines cut longer headlines; Google's limit for BlogPosting is 110 characters.
HEADLINE_LENGTH = 110

# What Django's json_script escapes, so a "</script>" in an entry cannot end the element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def clock(value: datetime | None) -> str:
    """ "14:05" for today in the active zone, "4 Nov, 14:05" for another day of this year."""
    # strftime, not Django's date format: the page is English, and this runs several times
    # per entry on every view of the page.
    if value is None:
        return ""
    local = timezone.localtime(value)
    today = timezone.localtime().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.day} {local:%b, %H:%M}"
    return f"{local.day} {local:%b %Y, %H:%M}"


@register.filter
def full_time(value: datetime | None) -> str:
    """The unambiguous time for a tooltip: "Monday 4 November 2024, 14:05 GMT"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M %Z}"


@register.filter
def iso_time(value: datetime | None) -> str:
    """ISO 8601 with the active zone's offset, for ``<time datetime>`` and JSON-LD."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def plain_text(entry: Entry) -> str:
    """The entry as readers see it, without markup (retracted entries: only the notice)."""
    if entry.is_retracted:
        return f"Retracted: {entry.retraction_reason}"
    # nh3 with no allowed tags strips markup in Rust; strip_tags was a third of the page.
    return html.unescape(_TEXT_ONLY.clean(entry.body_html)).strip()


def entry_title(entry: Entry) -> str:
    """A headline for places that need one (feeds, JSON-LD), even when the editor gave none."""
    if entry.is_retracted:
        return "Retracted update"
    return Truncator(entry.headline or plain_text(entry)).chars(HEADLINE_LENGTH) or "Update"


def entry_path(blog: Blog, entry: Entry) -> str:
    """The permalink, built from the blog we already hold (``entry.blog`` would query)."""
    return f"{_entries_prefix(blog.slug)}{entry.id}/"


@functools.lru_cache(maxsize=1024)
def _entries_prefix(slug: str) -> str:
    # reverse() once per blog, not three times per entry on every page view.
    sample = uuid.UUID(int=0)
    path = reverse("liveblog:entry", kwargs={"slug": slug, "entry_id": sample})
    return path[: -len(f"{sample}/")]


@register.simple_tag
def permalink(blog: Blog, entry: Entry) -> str:
    """``{% permalink blog entry as url %}``: the entry's stand-alone page, without a query."""
    return entry_path(blog, entry)


def live_blog_posting(
    blog: Blog, entries: list[Entry], *, build_url: Any, page_path: str
) -> dict[str, Any]:
    """schema.org LiveBlogPosting for the page, with one liveBlogUpdate per rendered entry."""
    zone = blog.zone

    def iso(value: datetime | None) -> str | None:
        return timezone.localtime(value, zone).isoformat(timespec="seconds") if value else None

    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": build_url(blog.get_absolute_url()),
        "url": build_url(page_path),
        "headline": Truncator(blog.title).chars(HEADLINE_LENGTH),
        "description": blog.description or blog.title,
        "datePublished": iso(blog.coverage_start or blog.created_at),
        "dateModified": iso(blog.updated_at),
        "coverageStartTime": iso(blog.coverage_start),
        "coverageEndTime": iso(blog.coverage_end),
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": build_url(entry_path(blog, entry)),
                "url": build_url(entry_path(blog, entry)),
                "headline": entry_title(entry),
                "datePublished": iso(entry.occurred_at),
                "dateModified": iso(entry.updated_at),
                "articleBody": plain_text(entry),
            }
            for entry in entries
        ],
    }
    # Absent beats null for search engines: a live blog has no coverage end yet.
    return {key: value for key, value in posting.items() if value is not None}


@register.simple_tag(takes_context=True)
def live_blog_json_ld(context: template.Context, blog: Blog, entries: list[Entry]) -> SafeString:
    """Render ``<script type="application/ld+json">``, escaped so text cannot close it."""
    request = context["request"]
    data = live_blog_posting(
        blog, entries, build_url=request.build_absolute_uri, page_path=request.get_full_path()
    )
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _JSON_SCRIPT_ESCAPES
    )
    # The text is JSON with <, > and & escaped above, so it is safe inside the element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
