"""Format "sourcefabric": a blog's posts as Sourcefabric Live Blog 3's API returns them.

``GET .../client_blogs/<id>/posts`` answers ``{"_items": [post, ...], "_meta": {...}}``; a
post carries ``published_date``, ``post_status`` (open, draft, submitted), ``sticky``,
``lb_highlight`` (``highlight`` before 3.3), ``deleted`` and ``unpublished_date``, its
``original_creator`` or ``publisher``, and its content as ``groups``: the group with id "main"
refers to items (text, quote, image, embed), each embedded under ``item``. Sticky posts are
imported pinned, highlighted ones as key events, deleted ones as published and then
retracted at their deletion time; drafts and submissions were never public and are set aside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from liveblog.importers.base import (
    ImportNotice,
    ImportParseError,
    ParsedBlog,
    ParsedEntry,
    Retraction,
    SetAsideText,
    load_json,
)
from liveblog.importers.bodies import markdown_body
from liveblog.importers.chronology import Stamped, newest_first, settle_order
from liveblog.importers.html import fragment_markdown
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import zone

FORMAT = "sourcefabric"
SYSTEM = "Live Blog"


def _posts_of(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("_items"), list):
        return list(data["_items"])
    if isinstance(data, list) and data and all(isinstance(p, dict) for p in data):
        return data
    return None


def _load(text: str) -> Any:
    try:
        return load_json(text)
    except ValueError:
        return None


def sniff(text: str) -> bool:
    """Say whether a file holds Live Blog 3 posts."""
    head = text.lstrip()[:1]
    if head not in ("{", "[") or '"groups"' not in text[:200_000]:
        return False
    posts = _posts_of(_load(text))
    return posts is not None and all(isinstance(p, dict) and "groups" in p for p in posts[:5])


def _when(value: Any, *, source: str, element: str) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportParseError(
            f"{value!r} is not an ISO 8601 time; correct it", source=source, element=element
        ) from None
    if when.tzinfo is None:
        raise ImportParseError(
            f"{value!r} has no UTC offset; Live Blog gives one, so the file was changed",
            source=source,
            element=element,
        )
    return when


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("display_name") or value.get("byline") or value.get("name") or "")
    return ""


def parse(text: str, options: ParseOptions) -> ParsedBlog:
    """Parse Live Blog 3 posts (see module doc)."""
    source, time_zone = options.source, options.time_zone
    zone(time_zone, source=source)
    data = _load(text)
    posts = _posts_of(data)
    if posts is None:
        raise ImportParseError(
            "expected Live Blog posts: a JSON object with '_items' or a list of posts",
            source=source,
        )
    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone, system=SYSTEM)
    if isinstance(data, dict) and isinstance(data.get("title"), str):
        blog.title = data["title"]
    found: list[ParsedEntry] = []
    for index, post in enumerate(posts):
        element = f"_items[{index}]"
        entry = _entry(post, blog, source=source, element=element)
        if entry is not None:
            found.append(entry)
    if not found:
        raise ImportParseError(
            "no published post has any content; nothing to import", source=source
        )
    stamps = [Stamped(line=i + 1, when=e.occurred_at) for i, e in enumerate(found)]
    newest = newest_first([s.when for s in stamps])
    order, notices = settle_order(stamps, source=source, newest=newest)
    blog.warnings.extend(
        ImportNotice(source, 0, n.message, element=found[n.line - 1].element) for n in notices
    )
    blog.entries = [found[i] for i in order]
    return blog


def _entry(post: Any, blog: ParsedBlog, *, source: str, element: str) -> ParsedEntry | None:
    if not isinstance(post, dict):
        raise ImportParseError("a post is not a JSON object", source=source, element=element)
    status = post.get("post_status", "open")
    summary = post.get("_id", element)
    if status != "open":
        blog.warnings.append(
            ImportNotice(source, 0, f"a {status} post was never public; set aside", element)
        )
        blog.set_aside.append(SetAsideText(source, 0, str(summary), f"{status} post", element))
        return None
    published = _when(
        post.get("published_date") or post.get("_created"), source=source, element=element
    )
    if published is None:
        raise ImportParseError(
            "a published post has no published_date", source=source, element=element
        )
    paragraphs: list[str] = []
    author = _name(post.get("original_creator")) or _name(post.get("publisher"))
    for group in post.get("groups") or []:
        if not isinstance(group, dict) or group.get("id") != "main":
            continue
        for ref in group.get("refs") or []:
            item = ref.get("item") if isinstance(ref, dict) else None
            if not isinstance(item, dict):
                continue
            author = author or _name(item.get("original_creator"))
            paragraphs.extend(_item(item, blog, source=source, element=element))
    if not paragraphs:
        blog.warnings.append(ImportNotice(source, 0, "a post with no content; set aside", element))
        blog.set_aside.append(SetAsideText(source, 0, str(summary), "empty post", element))
        return None
    retraction = None
    unpublished = _when(post.get("unpublished_date"), source=source, element=element)
    if post.get("deleted") or (unpublished is not None and unpublished > published):
        deleted_at = unpublished or _when(post.get("_updated"), source=source, element=element)
        retraction = Retraction(
            occurred_at=deleted_at or published, author=_name(post.get("publisher"))
        )
    edited = _when(post.get("content_updated_date"), source=source, element=element)
    if edited is not None and edited > published and retraction is None:
        blog.warnings.append(
            ImportNotice(
                source,
                0,
                f"the post was edited at {edited:%d %b %Y %H:%M}; Live Blog keeps only the last "
                "text, which was imported as published",
                element,
            )
        )
    return ParsedEntry(
        occurred_at=published,
        body=markdown_body(paragraphs),
        headline=str(post.get("headline") or "")[:300],
        line=0,
        author=author[:200],
        key_event=bool(post.get("lb_highlight", post.get("highlight", False))),
        pinned=bool(post.get("sticky", False)),
        retraction=retraction,
        element=element,
    )


def _item(item: dict[str, Any], blog: ParsedBlog, *, source: str, element: str) -> list[str]:
    kind = item.get("item_type") or item.get("type") or "text"
    meta: dict[str, Any] = item["meta"] if isinstance(item.get("meta"), dict) else {}
    text = str(item.get("text") or "")
    if kind == "text":
        paragraphs, notices, aside = fragment_markdown(text, source=source, element=element)
        blog.warnings.extend(notices)
        blog.set_aside.extend(aside)
        return paragraphs
    if kind == "quote":
        credit = str(meta.get("credit") or "")
        quoted, _, _ = fragment_markdown(text, source=source, element=element)
        lines = [f"> {line}" for line in quoted]
        return lines + ([f"\u2014 {credit}"] if credit else [])
    if kind == "image":
        renditions = (meta.get("media") or {}).get("renditions") or {}
        best: dict[str, Any] = next(
            (
                renditions[k]
                for k in ("original", "baseImage", "viewImage", "thumbnail")
                if k in renditions
            ),
            {},
        )
        url = str(best.get("href") or "")
        caption = " ".join(str(meta.get(k) or "") for k in ("caption", "credit")).strip()
        if not url:
            return [f"*{caption}*"] if caption else []
        blog.warnings.append(
            ImportNotice(source, 0, f"image kept as a reference to {url}", element)
        )
        return [f"![{caption}]({url})" + (f"\n*{caption}*" if caption else "")]
    if kind in ("embed", "video"):
        url = str(meta.get("original_url") or meta.get("url") or "")
        title = str(meta.get("title") or "Embedded content")
        if not url:
            return [title] if meta.get("title") else []
        blog.warnings.append(
            ImportNotice(source, 0, f"embedded {kind} kept as a link to {url}", element)
        )
        return [f"[{title}]({url})"]
    blog.warnings.append(
        ImportNotice(source, 0, f"a {kind!r} item is not imported; set aside", element)
    )
    blog.set_aside.append(SetAsideText(source, 0, text[:200], f"{kind} item", element))
    return []
