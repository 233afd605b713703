"""Presentation helpers for the reader pages and the Atom feed.

Times are shown in the blog's time zone: templates wrap the page in ``{% timezone %}`` and
these filters read the active zone, the same way Django's own ``date`` filter does.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import nh3
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import pgettext

from liveblog.media import file_url
from liveblog.models import Blog, Entry
from liveblog.rendering import (
    EntryRenderer,
    clock_text,
    entries_prefix,
    full_text,
    iso_text,
)

register = template.Library()
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})

#: Images named on the LiveBlogPosting itself (each update names its own).
MAX_BLOG_IMAGES = 3
#: Search engines cut longer headlines; Google's limit for BlogPosting is 110 characters.
HEADLINE_LENGTH = 110

# What Django's json_script escapes, so a "</script>" in an entry cannot end the element.
# str.replace, not json_script's str.translate: on a page of JSON-LD that took milliseconds.
_JSON_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


@register.filter
def clock(value: datetime | None) -> str:
    """ "14:05" for today in the active zone, "4 Nov, 14:05" for another day of this year."""
    if value is None:
        return ""
    return clock_text(timezone.localtime(value), timezone.localtime().date())


@register.filter
def full_time(value: datetime | None) -> str:
    """The unambiguous time for a tooltip: "Monday 4 November 2024, 14:05 GMT"."""
    if value is None:
        return ""
    return full_text(timezone.localtime(value))


@register.filter
def iso_time(value: datetime | None) -> str:
    """ISO 8601 with the active zone's offset, for ``<time datetime>`` and JSON-LD."""
    return iso_text(timezone.localtime(value)) if value else ""


def plain_text(entry: Entry) -> str:
    """The entry as readers see it, without markup (retracted entries: only the notice)."""
    if entry.is_retracted:
        return f"Retracted: {entry.retraction_reason}"
    # nh3 with no allowed tags strips markup in Rust; strip_tags was a third of the page.
    return html.unescape(_TEXT_ONLY.clean(entry.body_html)).strip()


def entry_title(entry: Entry, text: str | None = None, ellipsis: str | None = None) -> str:
    """A headline for places that need one (feeds, JSON-LD), even when the editor gave none.

    A page of entries passes each one's ``plain_text`` and the ``truncation_ellipsis()`` it
    already has, so they are not worked out again per entry.
    """
    if entry.is_retracted:
        return "Retracted update"
    if entry.headline:
        return _headline(entry.headline, ellipsis)
    return _headline(plain_text(entry) if text is None else text, ellipsis) or "Update"


def truncation_ellipsis() -> str:
    """What Truncator ends a cut text with, in the active language: "%(truncated_text)s…"."""
    # Django's own msgid, so the translation is Truncator's. Looked up once per page: each
    # lookup goes through asgiref's context-local machinery, twice per Truncator call.
    return pgettext("String to return when truncating text", "%(truncated_text)s…")


def _headline(text: str, ellipsis: str | None = None) -> str:
    """``Truncator(text).chars(HEADLINE_LENGTH)``, skipping its per-character loop when short."""
    text = unicodedata.normalize("NFC", text)
    # Truncator counts the NFC form's characters, combining ones not at all: nothing to cut.
    if len(text) <= HEADLINE_LENGTH:
        return text
    return Truncator(text).chars(HEADLINE_LENGTH, truncate=ellipsis)


@register.simple_tag
def entry_articles(blog: Blog, entries: Iterable[Entry]) -> SafeString:
    """``{% entry_articles blog entries %}``: the entries' articles, timed in the active zone."""
    return EntryRenderer(blog, zone=timezone.get_current_timezone()).articles(entries)


def live_blog_posting(
    blog: Blog, entries: list[Entry], *, build_url: Any, page_path: str
) -> dict[str, Any]:
    """schema.org LiveBlogPosting for the page, with one liveBlogUpdate per rendered entry."""
    zone = blog.zone
    # The permalinks differ only by the entry's id: build the absolute part once.
    entries_url = build_url(entries_prefix(blog.slug))
    ellipsis = truncation_ellipsis()

    def iso(value: datetime | None) -> str | None:
        return iso_text(timezone.localtime(value, zone)) if value else None

    def images(entry: Entry) -> list[str]:
        if entry.is_retracted:
            return []
        return [build_url(file_url(item["files"][-1]["name"])) for item in entry.media]

    def update(entry: Entry) -> dict[str, Any]:
        url = f"{entries_url}{entry.id}/"
        text = plain_text(entry)
        data: dict[str, Any] = {
            "@type": "BlogPosting",
            "@id": url,
            "url": url,
            "headline": entry_title(entry, text, ellipsis),
            "datePublished": iso(entry.occurred_at),
            "dateModified": iso(entry.updated_at),
            "articleBody": text,
        }
        if pictures := images(entry):
            data["image"] = pictures
        return data

    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": build_url(blog.get_absolute_url()),
        "url": build_url(page_path),
        "headline": _headline(blog.title, ellipsis),
        "description": blog.description or blog.title,
        "datePublished": iso(blog.coverage_start or blog.created_at),
        "dateModified": iso(blog.updated_at),
        "coverageStartTime": iso(blog.coverage_start),
        "coverageEndTime": iso(blog.coverage_end),
        "liveBlogUpdate": [update(entry) for entry in entries],
        # The page's first few images represent the blog in search results and shares.
        "image": [url for entry in entries for url in images(entry)][:MAX_BLOG_IMAGES] or None,
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
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    # The text is JSON with <, > and & escaped above, so it is safe inside the element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
