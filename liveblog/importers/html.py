"""Format "html": a live page saved from a browser or an archive.

The page's own structure is used first, in this order:

1. schema.org ``LiveBlogPosting`` JSON-LD with ``liveBlogUpdate`` (most large newsrooms
   publish it): one entry per update, with its ``datePublished``, ``headline``, ``author``
   and body. When an update's ``url`` points at an element of the page (``#post-12``), the
   body is taken from that element (paragraphs, lists, quotes, links, images), else from
   ``articleBody``.
2. The same as microdata (``itemprop="liveBlogUpdate"``).
3. Elements that each hold one ``<time datetime>`` (how most live pages mark an update).

When JSON-LD lists fewer updates than the page shows (many pages list only the latest ones),
the page's markup wins, with a warning. A page with none of these is rendered to text, block
by block, and handed to the text layouts; their messages then name the element.

lxml parses the page (libxml2's HTML parser copes with the broken markup real pages have and
keeps each element's source line for messages); htmldate finds the page's own publication
and "Updated" dates in its metadata, which date pages whose stamps carry no date.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from typing import Any

import lxml.etree
import lxml.html

from liveblog.importers.base import (
    ImportNotice,
    ImportParseError,
    ParsedBlog,
    ParsedEntry,
    SetAsideText,
    load_json,
)
from liveblog.importers.bodies import looks_like_headline, markdown_body
from liveblog.importers.chronology import Stamped, newest_first, settle_order
from liveblog.importers.furniture import furniture_notices, is_prompt, read_byline
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import check_year, zone

FORMAT = "html"

_DROP = {"script", "style", "noscript", "svg", "template", "button", "form", "input", "select"}
_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "li", "ul", "ol", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "table", "tr", "pre", "main",
    "aside", "nav", "time", "dl", "dt", "dd", "hr", "br",
}  # fmt: skip
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|newsletter|subscribe|related|advert|ad-slot|promo"
    r"|skip-link|visually-hidden|sr-only|icon|breadcrumb|cookie|paywall)(?:$|[\s_-])",
    re.IGNORECASE,
)
_CHROME = {"nav", "footer", "aside", "header"}


def sniff(text: str) -> bool:
    """Say whether a file is an HTML page."""
    head = text[:4096].lstrip().lower()
    return (head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in head) or (
        head.startswith("<") and ("<body" in head or "<head" in head)
    )


@dataclasses.dataclass
class _Page:
    source: str
    tz: tzinfo
    blog: ParsedBlog

    def warn(self, element: Any, message: str) -> None:
        self.blog.warnings.append(
            ImportNotice(self.source, _line(element), message, element=describe(element))
        )

    def set_aside(self, element: Any, text: str, why: str) -> None:
        self.blog.set_aside.append(
            SetAsideText(self.source, _line(element), text, why, element=describe(element))
        )


def _line(element: Any) -> int:
    return int(getattr(element, "sourceline", 0) or 0)


def describe(element: Any) -> str:
    """Name an element the way a person finds it in the page: tag, id, first class."""
    if element is None or not isinstance(getattr(element, "tag", None), str):
        return ""
    name = element.tag
    if element.get("id"):
        name += "#" + element.get("id")
    elif element.get("class"):
        name += "." + element.get("class").split()[0]
    return name


def parse(text: str, options: ParseOptions) -> ParsedBlog:
    """Parse an HTML live page into entries in chronological order (see module doc)."""
    source, time_zone = options.source, options.time_zone
    tz = zone(time_zone, source=source)
    check_year(options.year, source=source)
    try:
        parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
        document = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ImportParseError(
            f"cannot read the HTML ({exc}); save the page again from the browser",
            source=source,
        ) from None
    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone)
    page = _Page(source=source, tz=tz, blog=blog)
    blog.title = _title(document)
    structured, how = _structured_entries(document, page)
    if structured and how != "time elements":
        # JSON-LD often lists only the latest updates: if the page's text shows more stamped
        # entries, read those instead (and say so).
        fuller = _fuller_text_reading(document, page, len(structured), options)
        if fuller is not None:
            return fuller
    if structured:
        blog.format = f"html ({how})"
        _finish(page, structured)
        return blog
    _page_dates(document, page)  # the updates carry their own dates; a text page may not
    return _as_text(document, page, options)


def _fuller_text_reading(
    document: Any, page: _Page, found: int, options: ParseOptions
) -> ParsedBlog | None:
    from liveblog.importers import dated_blocks, timeline

    lines, _ = page_text(document, _Page(page.source, page.tz, ParsedBlog(FORMAT, "", "UTC")))
    _, stamps = timeline.sniff(lines, seed=dated_blocks.starts_entry)
    if stamps <= found + 2:
        return None
    text_page = _Page(page.source, page.tz, ParsedBlog(FORMAT, page.source, page.blog.time_zone))
    text_page.blog.title = page.blog.title
    _page_dates(document, text_page)
    try:
        parsed = _as_text(document, text_page, options)
    except ImportParseError:
        return None
    if len(parsed.entries) <= found:
        return None
    parsed.warnings.insert(
        0,
        ImportNotice(
            page.source,
            0,
            f"the page's structured data lists {found} updates but its text shows "
            f"{len(parsed.entries)} stamped entries; imported those from the text",
        ),
    )
    return parsed


# --- the page's own metadata ----------------------------------------------------------------


def _title(document: Any) -> str | None:
    for xpath in ("//meta[@property='og:title']/@content", "//h1", "//title"):
        found = document.xpath(xpath)[:1]
        text = found[0] if found and isinstance(found[0], str) else ""
        if found and not text:
            text = found[0].text_content()
        if text.strip():
            return " ".join(text.split())[:200]
    return None


def _page_dates(document: Any, page: _Page) -> None:
    import htmldate  # imported here: it loads dateparser's language data

    for original, field in ((True, "published_at"), (False, "updated_at")):
        try:
            found = htmldate.find_date(
                document,
                original_date=original,
                extensive_search=False,
                outputformat="%Y-%m-%dT%H:%M:%S%z",
            )
        except (ValueError, TypeError):
            found = None
        when = _iso(found, page.tz) if found else None
        if when is not None:
            setattr(page.blog, field, when)


def _iso(value: object, tz: tzinfo) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


# --- structured entries ---------------------------------------------------------------------


@dataclasses.dataclass
class _Update:
    when: datetime
    headline: str
    body: list[str]
    author: str
    element: Any
    key_event: bool = False


def _structured_entries(document: Any, page: _Page) -> tuple[list[_Update], str]:
    """Read the updates each way the page marks them, and keep the fullest reading."""
    readings: list[tuple[list[_Update], str, _Page]] = []
    for read, how in (
        (_json_ld_updates, "JSON-LD"),
        (_microdata_updates, "microdata"),
        (_time_element_updates, "time elements"),
    ):
        scratch = _Page(page.source, page.tz, ParsedBlog(FORMAT, page.source, page.blog.time_zone))
        updates = read(document, scratch)
        if updates or scratch.blog.warnings:
            readings.append((updates, how, scratch))
    if not readings:
        return [], ""
    best = max(readings, key=lambda reading: len(reading[0]))  # first wins a tie
    first = readings[0]
    if best is not first and first[0]:
        page.warn(
            document.body if document.body is not None else document,
            f"the page's {first[1]} lists {len(first[0])} updates but its {best[1]} show "
            f"{len(best[0])}; imported the {len(best[0])} from the {best[1]}",
        )
    page.blog.warnings.extend(best[2].blog.warnings)
    page.blog.set_aside.extend(best[2].blog.set_aside)
    for reading in readings:  # the page's own dates, from whichever reading found them
        page.blog.published_at = page.blog.published_at or reading[2].blog.published_at
        page.blog.updated_at = page.blog.updated_at or reading[2].blog.updated_at
    return best[0], best[1]


def _walk_json(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk_json(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk_json(child)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1] for k in kinds}


def _json_ld_updates(document: Any, page: _Page) -> list[_Update]:
    updates: list[_Update] = []
    ids: dict[str, Any] | None = None
    for script in document.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        raw = re.sub(r"^\s*(?:<!--|//<!\[CDATA\[)|(?:-->|//\]\]>)\s*$", "", raw)
        if not raw:
            continue
        try:
            data = load_json(raw)
        except ValueError as exc:
            page.warn(script, f"JSON-LD that is not valid JSON was ignored ({exc})")
            continue
        for node in _walk_json(data):
            if "LiveBlogPosting" not in _types(node):
                continue
            page.blog.published_at = _iso(node.get("datePublished"), page.tz)
            page.blog.updated_at = _iso(node.get("dateModified"), page.tz)
            items = node.get("liveBlogUpdate") or []
            ids = ids if ids is not None else _ids(document)
            for item in items if isinstance(items, list) else [items]:
                update = _json_ld_update(item, ids, page, script)
                if update is not None:
                    updates.append(update)
    return updates


def _text_of(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(filter(None, (_text_of(item) for item in value)))
    if isinstance(value, dict):
        return _text_of(value.get("name") or value.get("text") or "")
    return " ".join(str(value).split()) if value is not None else ""


def _json_ld_update(item: Any, ids: dict[str, Any], page: _Page, script: Any) -> _Update | None:
    if not isinstance(item, dict):
        return None
    stamp = item.get("datePublished") or item.get("dateCreated") or item.get("dateModified")
    when = _iso(stamp, page.tz)
    headline = _text_of(item.get("headline") or "")
    if when is None:
        page.warn(script, f"a liveBlogUpdate without a readable datePublished ({headline!r})")
        return None
    element = _element_for(str(item.get("url") or item.get("@id") or ""), ids)
    body: list[str] = []
    if element is not None:
        body = _element_body(element, page, headline=headline)
    if not body:
        text = item.get("articleBody") or item.get("text") or item.get("description") or ""
        body = [part.strip() for part in re.split(r"\n\s*\n|\r\n\s*\r\n", str(text)) if part]
        body += _images_of(item.get("image"), page, script)
    return _Update(
        when=when,
        headline=headline[:300],
        body=body,
        author=_text_of(item.get("author") or "")[:200],
        element=element if element is not None else script,
    )


def _images_of(value: Any, page: _Page, where: Any) -> list[str]:
    images = value if isinstance(value, list) else [value] if value else []
    found: list[str] = []
    for image in images:
        url = image if isinstance(image, str) else (image or {}).get("url", "")
        if isinstance(url, str) and url:
            caption = _text_of(image.get("caption", "")) if isinstance(image, dict) else ""
            found.append(f"![{caption}]({url})" + (f"\n*{caption}*" if caption else ""))
            page.warn(where, f"image kept as a reference to {url}")
    return found


def _element_for(url: str, ids: dict[str, Any]) -> Any:
    fragment = url.rpartition("#")[2] if "#" in url else ""
    return ids.get(fragment) if fragment else None


def _ids(document: Any) -> dict[str, Any]:
    """The page's elements by id, built in one walk (an XPath per update is quadratic)."""
    return {el.get("id"): el for el in document.iter() if isinstance(el.tag, str) and el.get("id")}


def _microdata_updates(document: Any, page: _Page) -> list[_Update]:
    updates: list[_Update] = []
    for element in document.xpath("//*[@itemscope][contains(@itemprop, 'liveBlogUpdate')]"):
        stamp_el = element.xpath(".//*[@itemprop='datePublished']")
        stamp = ""
        if stamp_el:
            stamp = stamp_el[0].get("datetime") or stamp_el[0].get("content") or ""
        when = _iso(stamp, page.tz)
        if when is None:
            page.warn(element, "a liveBlogUpdate without a readable datePublished was skipped")
            page.set_aside(element, " ".join(element.text_content().split())[:200], "no time")
            continue
        headline_el = element.xpath(".//*[@itemprop='headline']")
        headline = " ".join(headline_el[0].text_content().split()) if headline_el else ""
        author_el = element.xpath(".//*[@itemprop='author']")
        author = ""
        if author_el:
            name = author_el[0].xpath(".//*[@itemprop='name']")
            author = " ".join((name[0] if name else author_el[0]).text_content().split())
        body_el = element.xpath(".//*[@itemprop='articleBody']")
        body = _element_body(body_el[0] if body_el else element, page, headline=headline)
        updates.append(_Update(when, headline[:300], body, author[:200], element))
    return updates


def _time_element_updates(document: Any, page: _Page) -> list[_Update]:
    """Entries as elements that each hold exactly one ``<time datetime>``."""
    # How many stamps each element holds, counted once (a climb per stamp would be quadratic).
    held: dict[Any, int] = {}
    times = []
    for time_el in document.xpath("//body//time[@datetime]"):
        ancestors = list(time_el.iterancestors())
        for ancestor in ancestors:
            held[ancestor] = held.get(ancestor, 0) + 1
        if not any(a.tag in _CHROME for a in ancestors):
            times.append(time_el)
    if len(times) < 2:
        return []
    containers: list[tuple[Any, Any]] = []
    for time_el in times:
        container = time_el
        while True:
            parent = container.getparent()
            if parent is None or parent.tag in ("body", "html") or held.get(parent, 0) > 1:
                break
            container = parent
        if container is not time_el:
            containers.append((container, time_el))
    signatures: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
    for container, time_el in containers:
        key = (container.tag, (container.get("class") or "").split(" ")[0])
        signatures.setdefault(key, []).append((container, time_el))
    if not signatures:
        return []
    group = max(signatures.values(), key=len)
    if len(group) < 2:
        return []
    updates: list[_Update] = []
    for container, time_el in group:
        when = _iso(time_el.get("datetime"), page.tz)
        if when is None:
            page.warn(time_el, f"time {time_el.get('datetime')!r} is not an ISO 8601 time")
            continue
        headline_el, author_el = _headline_and_author(container)
        headline = " ".join(headline_el.text_content().split()) if headline_el is not None else ""
        author = " ".join(author_el.text_content().split()) if author_el is not None else ""
        if author:
            author = read_byline(author) or author
        skip = [author_el] if author_el is not None else []
        body = _element_body(container, page, headline=headline, skip=skip)
        updates.append(_Update(when, headline[:300], body, author[:200], container))
    return updates


_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_AUTHOR_CLASS = re.compile(r"author|byline|contributor", re.IGNORECASE)


def _headline_and_author(container: Any) -> tuple[Any, Any]:
    """The first heading and the first byline element inside an update (one walk, no XPath)."""
    headline = author = None
    for element in container.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if headline is None and tag in _HEADINGS:
            headline = element
        elif author is None and (
            element.get("rel") == "author"
            or element.get("itemprop") == "author"
            or _AUTHOR_CLASS.search(element.get("class") or "")
        ):
            author = element
        if headline is not None and author is not None:
            break
    return headline, author


# --- element bodies to Markdown -------------------------------------------------------------


def _element_body(
    element: Any, page: _Page, *, headline: str = "", skip: list[Any] | None = None
) -> list[str]:
    """Render an entry element as Markdown paragraphs, setting furniture aside."""
    renderer = _Renderer(page, skip={id(item) for item in skip or []}, headline=headline)
    renderer.block(element)
    renderer.flush()
    return renderer.paragraphs


class _Renderer:
    """Walks an element and writes Markdown blocks; what it leaves out, it reports."""

    def __init__(
        self, page: _Page, *, skip: set[int], headline: str, emphasis: bool = True
    ) -> None:
        self.page = page
        self.emphasis = emphasis  # off when rendering lines for the text layouts to read
        self.skip = skip
        self.headline = " ".join(headline.split())
        self.paragraphs: list[str] = []
        self.inline: list[str] = []
        self.prefix = ""

    def flush(self) -> None:
        text = " ".join("".join(self.inline).split())
        self.inline = []
        if not text:
            return
        if self.headline and text == self.headline:
            self.headline = ""  # the headline is the entry's, not its body's
            return
        if len(text) <= 160:  # bylines and prompts are short; most paragraphs are not
            if len(self.paragraphs) <= 1 and read_byline(text) is not None:
                return  # the entry's author, read separately
            if is_prompt(text):
                self.page.set_aside(None, text, "furniture")
                return
        self.paragraphs.append(self.prefix + text)

    def block(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _DROP or id(element) in self.skip:
            return
        if tag == "time":
            return  # the entry's stamp
        classes = element.get("class") or ""
        if _FURNITURE_CLASS.search(classes) and tag not in ("p", "li", "blockquote"):
            text = " ".join(element.text_content().split())
            if text:
                self.page.set_aside(element, text[:200], "furniture")
            return
        if tag in ("img", "picture"):
            self.image(element, "")
            return
        if tag == "figure":
            self.flush()
            images = element.xpath(".//img")
            caption_el = element.xpath(".//figcaption")
            caption = " ".join(caption_el[0].text_content().split()) if caption_el else ""
            if images:
                self.image(images[0], caption)
            elif caption:
                self.paragraphs.append(f"*{caption}*")
            for frame in element.xpath(".//iframe|.//video|.//embed"):
                self.embed(frame)
            return
        if tag in ("iframe", "video", "embed", "object"):
            self.embed(element)
            return
        if tag in _BLOCKS or tag not in _INLINE:
            self.flush()
            previous = self.prefix
            if tag == "li":
                self.prefix = "- "
            elif tag == "blockquote":
                self.prefix = "> "
            self.contents(element, self.block)
            self.flush()
            self.prefix = previous
            return
        self.inline_element(element)

    def inline_element(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _DROP or id(element) in self.skip:
            return
        if tag in _BLOCKS or tag in ("img", "figure", "iframe", "video", "picture"):
            self.block(element)
            return
        text = " ".join(element.text_content().split())
        if tag == "a":
            href = element.get("href") or ""
            if text and href and not href.lower().startswith(("javascript:", "#")):
                self.inline.append(f"[{text}]({href})")
                return
        if tag in ("strong", "b") and text and self.emphasis:
            self.inline.append(f"**{text}**")
            return
        if tag in ("em", "i") and text and self.emphasis:
            self.inline.append(f"*{text}*")
            return
        self.contents(element, self.inline_element)

    def contents(self, element: Any, each: Callable[[Any], None]) -> None:
        """The element's own text, then each child (through ``each``) and the text after it."""
        if element.text:
            self.inline.append(element.text)
        for child in element:
            each(child)
            if child.tail:
                self.inline.append(child.tail)

    def image(self, element: Any, caption: str) -> None:
        self.flush()
        img = element if element.tag == "img" else (element.xpath(".//img") or [element])[0]
        src = img.get("src") or img.get("data-src") or ""
        alt = " ".join((img.get("alt") or "").split())
        if not src:
            return
        self.paragraphs.append(f"![{alt}]({src})" + (f"\n*{caption}*" if caption else ""))
        self.page.warn(img, f"image kept as a reference to {src} (the file itself is not stored)")

    def embed(self, element: Any) -> None:
        self.flush()
        src = element.get("src") or element.get("data") or ""
        if not src:
            return
        self.paragraphs.append(f"[Embedded content]({src})")
        self.page.warn(element, f"embedded {element.tag} kept as a link to {src}")


_INLINE = {
    "a", "span", "strong", "b", "em", "i", "u", "small", "sup", "sub", "abbr", "cite", "q",
    "code", "mark", "s", "del", "ins", "font", "label", "bdi", "bdo", "wbr", "data",
}  # fmt: skip


# --- finishing ------------------------------------------------------------------------------


def _finish(page: _Page, updates: list[_Update]) -> None:
    blog = page.blog
    kept: list[_Update] = []
    for update in updates:
        body = list(update.body)
        headline = update.headline
        if not body and headline:
            body, headline = [headline], ""
        if not body:
            page.warn(update.element, "an update with no text was set aside")
            page.set_aside(update.element, headline or "(empty)", "could not place")
            continue
        if not headline and len(body) > 1 and looks_like_headline(body[0]):
            headline = body.pop(0)
        kept.append(dataclasses.replace(update, body=body, headline=headline))
    if not kept:
        raise ImportParseError(
            "the page marks its updates but none has any text; nothing to import",
            source=page.source,
        )
    stamps = [
        Stamped(line=index + 1, when=u.when, raw=u.when.isoformat()) for index, u in enumerate(kept)
    ]
    newest = newest_first([stamp.when for stamp in stamps])
    order, notices = settle_order(stamps, source=page.source, newest=newest)
    for notice in notices:
        update = kept[notice.line - 1]
        page.warn(update.element, notice.message)
    for index in order:
        update = kept[index]
        when = stamps[index].when
        assert when is not None
        blog.entries.append(
            ParsedEntry(
                occurred_at=when,
                body=markdown_body(update.body),
                headline=update.headline,
                line=_line(update.element),
                author=update.author,
                element=describe(update.element),
            )
        )
    blog.set_aside.sort(key=lambda item: item.line)
    blog.warnings.extend(furniture_notices(blog.set_aside, source=page.source))
    blog.warnings.sort(key=lambda notice: notice.line)


# --- pages without structure: rendered to text for the text layouts ------------------------


def _main_element(document: Any) -> Any:
    for xpath in ("//main", "//*[@role='main']", "//article"):
        found = document.xpath(xpath)
        if found:
            return max(found, key=lambda el: len(el.text_content()))
    return document.body if document.body is not None else document


def page_text(document: Any, page: _Page) -> tuple[list[str], list[Any]]:
    """Render the page's main content as lines of text, each with the element it came from."""
    lines: list[str] = []
    origins: list[Any] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _DROP or tag in ("nav", "footer"):
            return
        has_block_child = any(
            isinstance(child.tag, str) and (child.tag in _BLOCKS or child.tag not in _INLINE)
            for child in element
        )
        if tag in ("img", "figure", "iframe", "video") or not has_block_child:
            renderer = _Renderer(page, skip=set(), headline="", emphasis=False)
            renderer.block(element)
            renderer.flush()
            for paragraph in renderer.paragraphs:
                for part in paragraph.split("\n"):
                    lines.append(part)
                    origins.append(element)
            return
        if element.text and element.text.strip():
            lines.append(" ".join(element.text.split()))
            origins.append(element)
        for child in element:
            walk(child)
            if child.tail and child.tail.strip():
                lines.append(" ".join(child.tail.split()))
                origins.append(element)

    walk(_main_element(document))
    return lines, origins


def _as_text(document: Any, page: _Page, options: ParseOptions) -> ParsedBlog:
    from liveblog.importers import registry, timeline  # the registry lists this module too

    lines, origins = page_text(document, page)
    text = "\n".join(lines)
    source = page.source

    def where(line: int | None) -> tuple[int, str]:
        if line and 0 < line <= len(origins):
            element = origins[line - 1]
            return _line(element), describe(element)
        return 0, ""

    if not text.strip():
        raise ImportParseError("the page has no text to import", source=source)
    try:
        name = registry.text_layout(lines, source=source)
        if name == timeline.FORMAT:
            parsed = timeline.parse(
                text, options, page_dates=(page.blog.published_at, page.blog.updated_at)
            )
        else:
            parsed = registry.parse(name, text, options)
    except ImportParseError as exc:
        line, element = where(exc.line)
        raise ImportParseError(
            f"{exc.reason} (the page has no LiveBlogPosting data and no time elements, so it "
            "was read as text)",
            source=source,
            line=line or None,
            element=element,
        ) from None
    parsed.format = f"html (text, {name})"
    parsed.title = page.blog.title or parsed.title
    parsed.published_at = parsed.published_at or page.blog.published_at
    parsed.updated_at = parsed.updated_at or page.blog.updated_at
    parsed.entries = [
        dataclasses.replace(entry, line=where(entry.line)[0], element=where(entry.line)[1])
        for entry in parsed.entries
    ]
    parsed.warnings = page.blog.warnings + [
        ImportNotice(source, where(n.line)[0], n.message, element=where(n.line)[1])
        for n in parsed.warnings
    ]
    parsed.set_aside = page.blog.set_aside + [
        SetAsideText(source, where(s.line)[0], s.text, s.why, element=where(s.line)[1])
        for s in parsed.set_aside
    ]
    return parsed


# --- fragments: the HTML bodies of other systems' exports -----------------------------------

_TAG = re.compile(r"<[a-zA-Z][^>]*>")


def fragment_markdown(
    markup: str, *, source: str, line: int = 0, element: str = ""
) -> tuple[list[str], list[ImportNotice], list[SetAsideText]]:
    """Render an HTML fragment (an exported entry's body) as Markdown paragraphs.

    Text without tags is split into paragraphs at blank lines (WordPress stores it so).
    Returns the paragraphs and what was noticed or set aside, placed at ``line``/``element``.
    """
    if not _TAG.search(markup):
        parts = [" ".join(part.split()) for part in re.split(r"\n\s*\n", markup)]
        return [part for part in parts if part], [], []
    blog = ParsedBlog(format=FORMAT, source=source, time_zone="UTC")
    page = _Page(source=source, tz=zone("UTC", source=source), blog=blog)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return [" ".join(markup.split())], [], []
    renderer = _Renderer(page, skip=set(), headline="")
    renderer.block(root)
    renderer.flush()
    notices = [
        dataclasses.replace(n, line=line, element=element or n.element) for n in blog.warnings
    ]
    aside = [dataclasses.replace(s, line=line, element=element) for s in blog.set_aside]
    return renderer.paragraphs, notices, aside
