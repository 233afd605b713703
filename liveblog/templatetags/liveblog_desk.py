"""The desk's image upload panel and entry thumbnails, as template tags.

The panel is its own include and script (``static/liveblog/admin/upload.js``): the desk and
the correct form add it with one tag, and it posts to the API's media endpoint
(``POST /api/blogs/<slug>/media/``), the one place that checks and stores images.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from liveblog.media import file_url
from liveblog.models import Blog

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
def thumbnail_url(media: list[dict[str, Any]]) -> str:
    """The narrowest rendition of an entry's first image ('' without one)."""
    return file_url(media[0]["files"][0]["name"]) if media else ""
