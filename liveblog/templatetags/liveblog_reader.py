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
from typing import TYPE_CHECKING, Any

import nh3
from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import pgettext

from liveblog import sharing
from liveblog.media import file_url
from liveblog.models import Blog, Entry
from liveblog.rendering import (
    EntryRenderer,
    clock_text,
    entries_prefix,
    full_text,
    iso_text,
)

if TYPE_CHECKING:
    from liveblog.history import Later

register = template.Library()
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})

#: Images named on the LiveBlogPosting itself (each update names its own).
MAX_BLOG_IMAGES = 3
#: Search engines cut longer headlines; Google's limit for BlogPosting is 110 characters.
HEADLINE_LENGTH = 110
#: Characters of an update's text in share previews (Open Graph, Twitter cards).
DESCRIPTION_LENGTH = 200

# What Django's json_script escapes, so a "</script>" in an entry cannot end the element.
# str.replace, not json_script's slower str.translate (BENCHMARKS.md, "Speed tricks").
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
    # nh3 with no allowed tags strips markup in Rust, unlike strip_tags ("Speed tricks").
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


@register.filter
def zone_offset(value: datetime | None) -> str:
    """ "UTC+04:00": the active zone's offset at ``value``, as readers elsewhere count."""
    local = timezone.localtime(value)
    return "UTC" + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


@register.filter
def moment(value: datetime) -> str:
    """The exact time for ``?at=`` links, to the microsecond (the second could miss it)."""
    return timezone.localtime(value).isoformat()


@register.filter
def local_input(value: datetime) -> str:
    """The value of an ``<input type="datetime-local">``: the active zone's wall time."""
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


@register.simple_tag
def publisher_name() -> str:
    """The site's name (LIVEBLOG_PUBLISHER_NAME), as the header and previews show it."""
    return str(settings.LIVEBLOG_PUBLISHER_NAME)


@register.filter
def update_text(entry: Entry) -> str:
    """The update's words without markup (retracted: only its notice)."""
    return plain_text(entry)


@register.filter
def modified(entry: Entry) -> datetime:
    """When the update last changed, in newsroom time (see ``last_modified``)."""
    return last_modified(entry)


@register.filter
def update_title(entry: Entry) -> str:
    """The update's headline, or the start of its text (see ``entry_title``)."""
    return entry_title(entry)


@register.simple_tag
def entry_articles(
    blog: Blog, entries: Iterable[Entry], later: dict[Any, Later] | None = None
) -> SafeString:
    """``{% entry_articles blog entries [later] %}``: the articles, timed in the active zone.

    ``later`` is given on a page as it stood (``?at=``): what came after to each update.
    """
    zone = timezone.get_current_timezone()
    return EntryRenderer(blog, zone=zone, later=later).articles(entries)


# --- Sharing and previews ------------------------------------------------------------------


@register.inclusion_tag("liveblog/_share.html")
def share_links(url: str, title: str) -> dict[str, Any]:
    """``{% share_links absolute_url title %}``: links to the networks' own share pages."""
    return {"links": sharing.share_links(url=url, title=title)}


def _first_image(entries: Iterable[Entry]) -> dict[str, Any] | None:
    for entry in entries:
        if not entry.is_retracted and entry.media:
            return entry.media[0]
    return None


@register.simple_tag(takes_context=True)
def social_meta(
    context: template.Context,
    *,
    title: str,
    description: str,
    url: str,
    entries: Iterable[Entry] = (),
    published: datetime | None = None,
    modified: datetime | None = None,
) -> SafeString:
    """Open Graph and Twitter-card tags: what a link shows when shared or pasted.

    The image is the first one the given updates show (their widest rendition), with its
    size and alt text; without one the card is the small "summary".
    """
    build_url = context["request"].build_absolute_uri
    description = Truncator(" ".join(description.split())).chars(DESCRIPTION_LENGTH)
    tags: list[tuple[str, str, str]] = [
        ("property", "og:type", "article"),
        ("property", "og:site_name", settings.LIVEBLOG_PUBLISHER_NAME),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
    ]
    if published:
        tags.append(("property", "article:published_time", iso_text(published)))
    if modified:
        tags.append(("property", "article:modified_time", iso_text(modified)))
    image = _first_image(entries)
    if image:
        widest = image["files"][-1]
        tags += [
            ("property", "og:image", build_url(file_url(widest["name"]))),
            ("property", "og:image:width", str(widest["width"])),
            ("property", "og:image:height", str(widest["height"])),
            ("property", "og:image:alt", image["alt"]),
            ("name", "twitter:card", "summary_large_image"),
            ("name", "twitter:image:alt", image["alt"]),
        ]
    else:
        tags.append(("name", "twitter:card", "summary"))
    tags += [("name", "twitter:title", title), ("name", "twitter:description", description)]
    return format_html_join(
        "\n  ", '<meta {}="{}" content="{}">', ((a, name, value) for a, name, value in tags)
    )


def publisher(build_url: Any) -> dict[str, Any]:
    """The schema.org Organization that publishes the blogs (LIVEBLOG_PUBLISHER_* settings)."""
    data: dict[str, Any] = {"@type": "Organization", "name": settings.LIVEBLOG_PUBLISHER_NAME}
    if settings.LIVEBLOG_PUBLISHER_URL:
        data["url"] = settings.LIVEBLOG_PUBLISHER_URL
    if settings.LIVEBLOG_PUBLISHER_LOGO:
        data["logo"] = {"@type": "ImageObject", "url": build_url(settings.LIVEBLOG_PUBLISHER_LOGO)}
    return data


def update_author(entry: Entry, organization: dict[str, Any]) -> dict[str, Any]:
    """Who wrote an update, for JSON-LD: its byline (``liveblog.bylines``) as a Person, or
    the publisher for an update that names nobody. Never a login name (``Entry.author``).
    """
    if not entry.author_name:
        return organization
    person: dict[str, Any] = {"@type": "Person", "name": entry.author_name}
    if entry.author_role:
        person["jobTitle"] = entry.author_role
    if entry.author_location:
        person["workLocation"] = {"@type": "Place", "name": entry.author_location}
    return person


def last_modified(entry: Entry) -> datetime:
    """When the update last changed, in newsroom time (an import's original times, too).

    Not ``updated_at``: that is when the log recorded the change, for an imported update the
    moment of the import rather than the edit it copied.
    """
    changes = [entry.occurred_at, entry.last_corrected_at, entry.retracted_at]
    return max(change for change in changes if change is not None)


def blog_posting(
    entry: Entry,
    *,
    url: str,
    build_url: Any,
    zone: Any,
    author: dict[str, Any],
    ellipsis: str | None = None,
) -> dict[str, Any]:
    """schema.org BlogPosting for one update: a liveBlogUpdate, or a permalink's own."""
    text = plain_text(entry)
    data: dict[str, Any] = {
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "headline": entry_title(entry, text, ellipsis),
        "datePublished": iso_text(timezone.localtime(entry.occurred_at, zone)),
        "dateModified": iso_text(timezone.localtime(last_modified(entry), zone)),
        "articleBody": text,
        "author": author,
    }
    if pictures := _images(entry, build_url):
        data["image"] = pictures
    return data


def _images(entry: Entry, build_url: Any) -> list[str]:
    if entry.is_retracted:
        return []
    return [build_url(file_url(item["files"][-1]["name"])) for item in entry.media]


def live_blog_posting(
    blog: Blog, entries: list[Entry], *, build_url: Any, page_path: str
) -> dict[str, Any]:
    """schema.org LiveBlogPosting for the page, with one liveBlogUpdate per rendered entry."""
    zone = blog.zone
    # The permalinks differ only by the entry's id: build the absolute part once.
    entries_url = build_url(entries_prefix(blog.slug))
    ellipsis = truncation_ellipsis()
    organization = publisher(build_url)

    def iso(value: datetime | None) -> str | None:
        return iso_text(timezone.localtime(value, zone)) if value else None

    updates = [
        blog_posting(
            entry,
            url=f"{entries_url}{entry.id}/",
            build_url=build_url,
            zone=zone,
            author=update_author(entry, organization),
            ellipsis=ellipsis,
        )
        for entry in entries
    ]
    started = blog.coverage_start or blog.created_at
    # Newsroom times, so an imported blog keeps its own dates rather than the import's.
    changes = [started, blog.coverage_end, *(last_modified(entry) for entry in entries)]
    modified = max((change for change in changes if change is not None), default=None)
    page_url = build_url(page_path)
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": build_url(blog.get_absolute_url()),
        "url": page_url,
        "mainEntityOfPage": page_url,
        "headline": _headline(blog.title, ellipsis),
        "description": blog.description or blog.title,
        "datePublished": iso(started),
        "dateModified": iso(modified),
        "coverageStartTime": iso(blog.coverage_start),
        "coverageEndTime": iso(blog.coverage_end),
        "publisher": organization,
        "author": organization,
        "liveBlogUpdate": updates,
        # The page's first few images represent the blog in search results and shares.
        "image": [url for entry in entries for url in _images(entry, build_url)][:MAX_BLOG_IMAGES]
        or None,
    }
    # Absent beats null for search engines: a live blog has no coverage end yet.
    return {key: value for key, value in posting.items() if value is not None}


def _json_script(data: dict[str, Any]) -> SafeString:
    """``<script type="application/ld+json">``, escaped so text cannot close it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for char, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    # The text is JSON with <, > and & escaped above, so it is safe inside the element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def entry_json_ld(context: template.Context, blog: Blog, entry: Entry) -> SafeString:
    """A permalink's BlogPosting, part of the blog's LiveBlogPosting."""
    build_url = context["request"].build_absolute_uri
    data = blog_posting(
        entry,
        url=build_url(entry.get_absolute_url()),
        build_url=build_url,
        zone=blog.zone,
        author=update_author(entry, publisher(build_url)),
    )
    data = {"@context": "https://schema.org", **data}
    data["publisher"] = publisher(build_url)
    data["isPartOf"] = {
        "@type": "LiveBlogPosting",
        "@id": build_url(blog.get_absolute_url()),
        "headline": _headline(blog.title),
    }
    return _json_script(data)


@register.simple_tag(takes_context=True)
def live_blog_json_ld(context: template.Context, blog: Blog, entries: list[Entry]) -> SafeString:
    """The page's LiveBlogPosting as ``<script type="application/ld+json">``."""
    request = context["request"]
    data = live_blog_posting(
        blog, entries, build_url=request.build_absolute_uri, page_path=request.get_full_path()
    )
    return _json_script(data)
