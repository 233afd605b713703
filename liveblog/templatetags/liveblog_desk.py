"""The desk's image upload panel and entry thumbnails, as template tags.

The panel is its own include and script (``static/liveblog/admin/upload.js``): the desk and
the correct form add it with one tag, and it posts to the API's media endpoint
(``POST /api/blogs/<slug>/media/``), the one place that checks and stores images.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from liveblog.media import file_url
from liveblog.models import Blog, DeskEntry, Entry

register = template.Library()


@register.inclusion_tag("admin/liveblog/includes/upload.html")
def image_upload(blog: Blog, target: str) -> dict[str, Any]:
    """``{% image_upload blog "id_body" %}``: the panel that adds images to that textarea."""
    return {
        "blog": blog,
        "target": target,
        "upload_url": reverse("api:media-list", kwargs={"slug": blog.slug})
        if blog.has_address
        else "",
        "max_bytes": settings.LIVEBLOG_MEDIA_MAX_BYTES,
        "max_megabytes": settings.LIVEBLOG_MEDIA_MAX_BYTES // (1024 * 1024),
    }


@register.simple_tag
def entry_thumbnail(entry: Entry | DeskEntry) -> str:
    """A small image of the first picture the entry's text shows ('' without one)."""
    if not entry.media:
        return ""

    def place(item: dict[str, Any]) -> int:
        found = entry.body.find(PurePosixPath(item["files"][-1]["name"]).name)
        return found if found >= 0 else len(entry.body)

    first = min(entry.media, key=place)
    return format_html(
        '<img class="liveblog-thumb" src="{}" alt="{}" loading="lazy">',
        file_url(first["files"][0]["name"]),
        first["alt"],
    )
