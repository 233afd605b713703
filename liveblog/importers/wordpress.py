"""Format "wordpress": a WordPress export (WXR) of a post run with the Liveblog plugin.

The plugin keeps each update as a comment of type ``liveblog`` on the post (newer versions:
a child post), dated in GMT, with its author. An edit is a new comment whose
``liveblog_replaces`` meta names the entry it replaces; a deletion is such a comment with no
content. We import the first version of each entry as published, each edit as a correction
and each deletion as a retraction, at their own times and with their authors, so the history
survives the move. ``liveblog_key_entry`` marks key events.

lxml reads the XML with entity expansion and network access turned off (an export is
untrusted input); the entries' HTML is rendered by ``html.fragment_markdown``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import lxml.etree

from liveblog.importers.base import (
    ImportNotice,
    ImportParseError,
    ParsedBlog,
    ParsedEntry,
    Retraction,
    Revision,
    SetAsideText,
)
from liveblog.importers.bodies import markdown_body
from liveblog.importers.html import fragment_markdown
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import zone

FORMAT = "wordpress"
SYSTEM = "WordPress"


def sniff(text: str) -> bool:
    """Say whether a file is a WordPress export (WXR)."""
    head = text[:4096]
    return "<rss" in head and "wordpress.org/export" in head


@dataclasses.dataclass
class _Record:
    ident: str
    when: datetime
    author: str
    content: str
    headline: str
    replaces: str
    key: bool
    line: int


def _local(element: Any, name: str) -> str:
    """The text of the first child whose local name is ``name`` (namespaces vary by version)."""
    for child in element:
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""


def _children(element: Any, name: str) -> list[Any]:
    return [
        child
        for child in element
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == name
    ]


def _meta(element: Any, kind: str) -> dict[str, str]:
    return {_local(m, "meta_key"): _local(m, "meta_value") for m in _children(element, kind)}


def _gmt(value: str, *, source: str, line: int) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ImportParseError(
            f"date {value!r} is not a WordPress GMT date (YYYY-MM-DD HH:MM:SS); correct it",
            source=source,
            line=line,
        ) from None


def parse(text: str, options: ParseOptions) -> ParsedBlog:
    """Parse a WXR export of one live-blog post (see module doc)."""
    source, time_zone = options.source, options.time_zone
    zone(time_zone, source=source)
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False
    )
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise ImportParseError(
            f"the export is not well-formed XML ({exc.msg}); export it again from WordPress",
            source=source,
            line=exc.lineno or None,
        ) from None
    posts = [item for item in root.iter() if isinstance(item.tag, str) and item.tag == "item"]
    live = [item for item in posts if _entries_of(item, posts)]
    if not live:
        raise ImportParseError(
            "the export holds no post with Liveblog entries (comments of type 'liveblog'); "
            "export the live-blog post itself",
            source=source,
        )
    if len(live) > 1:
        titles = ", ".join(repr(_local(item, "title")) for item in live[:5])
        raise ImportParseError(
            f"the export holds {len(live)} live-blog posts ({titles}); export one post at a "
            "time (WordPress: Tools, Export, Posts, with a date range or author that picks it)",
            source=source,
            line=live[1].sourceline,
        )
    post = live[0]
    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone, system=SYSTEM)
    blog.title = _local(post, "title") or None
    intro, _, _ = fragment_markdown(_local(post, "encoded"), source=source, line=post.sourceline)
    blog.introduction = markdown_body(intro)
    records = [_record(element, source) for element in _entries_of(post, posts)]
    _build(blog, records, source)
    return blog


def _entries_of(post: Any, posts: list[Any]) -> list[Any]:
    comments = [c for c in _children(post, "comment") if _local(c, "comment_type") == "liveblog"]
    if comments:
        return comments
    ident = _local(post, "post_id")
    if not ident or _local(post, "post_type") != "liveblog":
        return []
    return [item for item in posts if _local(item, "post_parent") == ident]


@dataclasses.dataclass(frozen=True)
class _Shape:
    """The elements one version of the plugin keeps an entry's fields in."""

    ident: str
    when: str
    author: str
    content: str
    headline: str | None  # None: this shape has no headline
    meta: str


_COMMENT = _Shape(
    "comment_id", "comment_date_gmt", "comment_author", "comment_content", None, "commentmeta"
)
_CHILD_POST = _Shape("post_id", "post_date_gmt", "creator", "encoded", "title", "postmeta")


def _record(element: Any, source: str) -> _Record:
    shape = _COMMENT if _local(element, "comment_id") else _CHILD_POST
    line = element.sourceline or 0
    meta = _meta(element, shape.meta)
    return _Record(
        ident=_local(element, shape.ident),
        when=_gmt(_local(element, shape.when), source=source, line=line),
        author=_local(element, shape.author),
        content=_local(element, shape.content),
        headline=_local(element, shape.headline) if shape.headline else "",
        replaces=meta.get("liveblog_replaces", ""),
        key=meta.get("liveblog_key_entry", "") not in ("", "0", "false"),
        line=line,
    )


def _body(record: _Record, blog: ParsedBlog, source: str) -> str:
    paragraphs, notices, aside = fragment_markdown(record.content, source=source, line=record.line)
    blog.warnings.extend(notices)
    blog.set_aside.extend(aside)
    return markdown_body(paragraphs)


def _build(blog: ParsedBlog, records: list[_Record], source: str) -> None:
    by_id = {record.ident: record for record in records}
    originals = sorted((r for r in records if not r.replaces), key=lambda r: r.when)
    history: dict[str, list[_Record]] = {r.ident: [] for r in originals}
    for record in sorted((r for r in records if r.replaces), key=lambda r: r.when):
        root, seen = record.replaces, set()
        while root in by_id and by_id[root].replaces and root not in seen:
            seen.add(root)
            root = by_id[root].replaces
        if root not in history:
            blog.warnings.append(
                ImportNotice(
                    source,
                    record.line,
                    f"an edit of entry {record.replaces} which the export does not hold; set "
                    "aside (export the whole post)",
                )
            )
            blog.set_aside.append(SetAsideText(source, record.line, record.content, "orphan edit"))
            continue
        history[root].append(record)
    for original in originals:
        body = _body(original, blog, source)
        if not body:
            blog.warnings.append(
                ImportNotice(source, original.line, "an entry with no text was set aside")
            )
            blog.set_aside.append(SetAsideText(source, original.line, "", "empty entry"))
            continue
        revisions: list[Revision] = []
        retraction = None
        headline = original.headline
        key = original.key
        for edit in history[original.ident]:
            if retraction is not None:
                blog.warnings.append(
                    ImportNotice(source, edit.line, "an edit after the entry's deletion; ignored")
                )
                continue
            key = key or edit.key
            if not edit.content.strip():
                retraction = Retraction(occurred_at=edit.when, author=edit.author)
                continue
            revisions.append(
                Revision(
                    occurred_at=edit.when,
                    body=_body(edit, blog, source) or body,
                    headline=edit.headline or headline,
                    author=edit.author,
                )
            )
        blog.entries.append(
            ParsedEntry(
                occurred_at=original.when,
                body=body,
                headline=headline,
                line=original.line,
                author=original.author,
                key_event=key,
                revisions=tuple(revisions),
                retraction=retraction,
            )
        )
    if not blog.entries:
        raise ImportParseError("no Liveblog entry has any text; nothing to import", source=source)
    blog.warnings.sort(key=lambda notice: notice.line)
    blog.set_aside.sort(key=lambda item: item.line)
