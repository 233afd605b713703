"""What an entry's body holds beyond its text: the images and embeds it shows.

``compose`` reads a body as ``markup.analyse`` sees it, finds the blog's uploads it refers
to and fetches its embeds (``liveblog.embeds``, bounded in time), and renders it with them.
Commands put the result in the entry's event, so that projections, rebuilds and exports
never look anywhere else; ``preview`` gives the desk the same HTML and warnings before
anything is published.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from liveblog import embeds as embed_fetcher
from liveblog import events, markup
from liveblog.models import Media


@dataclasses.dataclass(frozen=True)
class Composition:
    """A body with its media and embeds, as an entry event carries them, and its rendering."""

    media: list[dict[str, Any]]
    embeds: list[dict[str, Any]]
    analysis: markup.Analysis

    @property
    def warnings(self) -> list[dict[str, str]]:
        return [notice.as_dict() for notice in self.analysis.warnings]


def media_ref(media: Media) -> dict[str, Any]:
    """An upload as an entry's event copies it (``events.MEDIA_REF_KEYS``)."""
    return {
        "id": str(media.id),
        "alt": media.alt,
        "caption": media.caption,
        "credit": media.credit,
        "content_type": media.content_type,
        "files": media.files,
    }


def media_for_urls(blog_id: int, urls: Iterable[str]) -> list[dict[str, Any]]:
    """The blog's uploads that these image URLs name (by file name), newest upload first."""
    names = {f"{name[:2]}/{name}" for name in map(markup.file_name, urls) if len(name) > 2}
    if not names:
        return []
    found: dict[str, Media] = {}
    for media in Media.objects.filter(blog_id=blog_id, name__in=names).order_by("-seq"):
        found.setdefault(media.name, media)
    return [media_ref(media) for media in found.values()]


def compose(*, blog_id: int, body: str, fetch: bool = True) -> Composition:
    """Resolve a body's images and embeds (fetching embeds unless ``fetch`` is off)."""
    first = markup.analyse(body)
    media = media_for_urls(blog_id, first.image_urls)
    # An entry embeds at most events.MAX_ITEMS posts; further URLs stay links.
    urls = first.embed_urls[: events.MAX_ITEMS]
    embeds = list(embed_fetcher.fetch_all(urls).values()) if fetch else []
    if not media and not embeds:
        return Composition(media=[], embeds=[], analysis=first)
    analysis = markup.analyse(body, media=media, embeds=embeds)
    return Composition(media=media, embeds=embeds, analysis=analysis)


def preview(*, blog_id: int, body: str) -> tuple[str, list[dict[str, str]]]:
    """The body as readers will see it and what they will not: for the desk's live preview."""
    composition = compose(blog_id=blog_id, body=body)
    return composition.analysis.html, composition.warnings


def warnings_for(
    body: str, *, media: list[dict[str, Any]], embeds: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """What readers will not get of a stored text, from its event's media and embeds."""
    return [
        notice.as_dict() for notice in markup.analyse(body, media=media, embeds=embeds).warnings
    ]
