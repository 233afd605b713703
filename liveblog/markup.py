"""Entry text is Markdown; readers get sanitized HTML, and editors hear what they will not see.

cmark-gfm (GitHub's C implementation) parses and renders, and nh3 (the Ammonia sanitizer)
removes anything executable: script and style elements, event-handler attributes, iframes,
and links whose scheme is not http, https or mailto. Between the two, ``analyse`` walks
cmark-gfm's document tree: it turns images uploaded here into figures, a post's URL alone on
its line into an embed card, shifts headings below the entry's own, and names everything
readers will not get (raw HTML, remote images, unusable links) in its ``warnings``.

The allow-list (README, "What an entry may hold"): paragraphs and line breaks, **strong**,
*emphasis*, ~~strikethrough~~, `code` and fenced code blocks, links (http, https, mailto),
quotes (``> text``, an attribution as its last line ``> — Name``), bulleted, numbered and task
lists, tables, rules, headings (``#`` becomes the entry's level 4, ``##`` 5, deeper 6: the page
and the entry's headline sit above them), images uploaded to the blog, and embeds.
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import nh3
from cmarkgfm import cmark
from cmarkgfm.cmark import Options
from django.utils.html import format_html

from liveblog import cmark_memory

_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    # Task lists' check boxes: only cmark-gfm writes inputs, as raw HTML never reaches here.
    "input": {"type", "checked", "disabled"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
# GITHUB_PRE_LANG and these extensions are what cmarkgfm's github_flavored_markdown_to_html
# uses; it looks them up by name and builds a parser on every call.
_OPTIONS = Options.CMARK_OPT_SMART | Options.CMARK_OPT_NORMALIZE | Options.CMARK_OPT_GITHUB_PRE_LANG
cmark.core_extensions_ensure_registered()
_EXTENSIONS = tuple(
    cmark.find_syntax_extension(name)
    for name in ("table", "autolink", "tagfilter", "strikethrough", "tasklist")
)


# Built once: passing the allow-lists on every call costs more than the sanitising itself.
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


# One parser for every text, which gives back what each render allocates (cmark_memory).
_PARSER = cmark_memory.Parser(_OPTIONS, _EXTENSIONS)


# --- The document tree ----------------------------------------------------------------------
# cmark-gfm's node functions, from the library cffi loaded; cmarkgfm's bindings lack them.
# Node types are cmark's stable enum values; extensions' nodes are told apart by name.
_PARAGRAPH = 0x8008
_TEXT = 0xC001
_LINK = 0xC009
_VOID = ctypes.c_void_p


def _bind(name: str, restype: Any, *argtypes: Any) -> Any:
    function = getattr(cmark_memory.LIBRARY, f"cmark_node_{name}")
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


_first_child = _bind("first_child", _VOID, _VOID)
_next = _bind("next", _VOID, _VOID)
_type_string = _bind("get_type_string", ctypes.c_char_p, _VOID)
_get_url = _bind("get_url", ctypes.c_char_p, _VOID)
_get_literal = _bind("get_literal", ctypes.c_char_p, _VOID)
_set_literal = _bind("set_literal", ctypes.c_int, _VOID, ctypes.c_char_p)
_set_url = _bind("set_url", ctypes.c_int, _VOID, ctypes.c_char_p)
_get_heading_level = _bind("get_heading_level", ctypes.c_int, _VOID)
_set_heading_level = _bind("set_heading_level", ctypes.c_int, _VOID, ctypes.c_int)
_new_node = _bind("new", _VOID, ctypes.c_int)
_append_child = _bind("append_child", ctypes.c_int, _VOID, _VOID)
_insert_before = _bind("insert_before", ctypes.c_int, _VOID, _VOID)
_unlink = _bind("unlink", None, _VOID)


def _children(node: int) -> list[int]:
    found = []
    child = _first_child(node)
    while child:
        found.append(child)
        child = _next(child)
    return found


_get_type = _bind("get_type", ctypes.c_int, _VOID)
#: cmark's core node types by number; extensions' nodes are looked up by name.
_CORE_KINDS = {
    0x8001: "document",
    0x8002: "block_quote",
    0x8003: "list",
    0x8004: "item",
    0x8005: "code_block",
    0x8006: "html_block",
    0x8008: "paragraph",
    0x8009: "heading",
    0x800A: "thematic_break",
    0xC001: "text",
    0xC002: "softbreak",
    0xC003: "linebreak",
    0xC004: "code",
    0xC005: "html_inline",
    0xC007: "emph",
    0xC008: "strong",
    0xC009: "link",
    0xC00A: "image",
}


def _kind(node: int) -> str:
    kind = _CORE_KINDS.get(_get_type(node))
    return kind if kind is not None else (_type_string(node) or b"").decode()


def _text_of(node: int) -> str:
    """The plain text inside a node (an image's alt text, a link's words)."""
    literal = _get_literal(node)
    if literal is not None and _kind(node) in {"text", "code"}:
        return literal.decode()
    if _kind(node) in {"softbreak", "linebreak"}:
        return " "
    return "".join(_text_of(child) for child in _children(node))


def _text_node(text: str) -> int:
    node = _new_node(_TEXT)
    _set_literal(node, text.encode())
    return node


# --- Analysis ------------------------------------------------------------------------------

#: Schemes a link may have (relative links have none); cmark-gfm and nh3 drop the others.
LINK_SCHEMES = {"http", "https", "mailto"}
#: ``sizes`` for an entry's images: the column is at most 42rem wide (live.css, main).
IMAGE_SIZES = "(min-width: 44rem) 42rem, 100vw"
_HEADING_SHIFT = 3
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
_LONE_URL = re.compile(r"^[ \t]*<?https?://\S+[ \t]*$", re.MULTILINE)


def _may_need_editing(text: str) -> bool:
    """Whether the tree walk could find anything: HTML, a link or image (their brackets), a
    heading (# or a setext underline) or a URL alone on a line. Substring tests first: most
    entries are plain text, and this runs for every entry of a rebuild."""
    if "#" in text or "<" in text or "[" in text:
        return True
    if ("=" in text or "-" in text) and _SETEXT_UNDERLINE.search(text):
        return True
    return "http" in text and _LONE_URL.search(text) is not None


_TOKEN = re.compile(r"<p>(lbx[0-9a-f]+x\d+x)</p>|(lbx[0-9a-f]+x\d+x)")


@dataclasses.dataclass(frozen=True)
class Notice:
    """Something an editor wrote that readers will not get as written, and what to do."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclasses.dataclass(frozen=True)
class Analysis:
    """A body rendered for readers, what will not be shown, and what it refers to.

    ``image_urls`` are the sources of every image; ``embed_urls`` the URLs alone on a line
    (embeds if a provider is known). The caller resolves them into ``media`` and ``embeds``
    and renders again with them.
    """

    html: str
    warnings: tuple[Notice, ...]
    image_urls: tuple[str, ...]
    embed_urls: tuple[str, ...]


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def file_name(url: str) -> str:
    """The last part of a URL's path: what an image reference is matched by."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    return PurePosixPath(path).name if "/" in path else ""


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # e.g. "http://[::1": editors' text is not always a URL
        return ""


#: An http(s) URL whose host is plain letters, digits, dots and hyphens: its host is never
#: empty, so ``_has_host`` need not split it (most links; see BENCHMARKS.md, import).
_PLAIN_HOST = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#]|\Z)")


def _has_host(url: str) -> bool:
    return bool(_PLAIN_HOST.match(url)) or bool(_host(url))


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _html_notice(literal: str, *, block: bool) -> Notice | None:
    """What raw HTML costs the reader. Closing tags say nothing new; they are not named."""
    stripped = literal.strip()
    lowered = stripped.lower()
    if not stripped or lowered.startswith("</") or lowered.startswith("<!--"):
        return None
    snippet = _snippet(stripped)
    if lowered.startswith("<iframe"):
        return Notice(
            "iframe",
            f"This will not be shown: an iframe ({snippet}). To embed a post, put its link "
            "alone on a line.",
        )
    if lowered.startswith("<script"):
        return Notice("script", f"This will not be shown: a script ({snippet}).")
    if lowered.startswith("<img"):
        return Notice(
            "html_image",
            f"This will not be shown: an image in HTML ({snippet}); upload the image instead.",
        )
    if block:
        return Notice(
            "raw_html",
            f"This will not be shown: a block of HTML ({snippet}); write it in Markdown.",
        )
    return Notice(
        "raw_html",
        f"This HTML tag will not be applied: {snippet} (its text is shown); use Markdown.",
    )


class _Editor:
    """Walks one document tree: collects references and notices, swaps in placeholders."""

    def __init__(
        self,
        media: Mapping[str, Mapping[str, Any]],
        embeds: Mapping[str, Mapping[str, Any]],
        *,
        find_embeds: bool,
    ) -> None:
        self.media = media
        self.embeds = embeds
        self.find_embeds = find_embeds
        self.nonce = secrets.token_hex(6)
        self.placeholders: list[tuple[str, Mapping[str, Any], str]] = []
        self.notices: list[Notice] = []
        self.image_urls: list[str] = []
        self.embed_urls: list[str] = []
        self.removed: list[int] = []

    def token(self, kind: str, item: Mapping[str, Any], alt: str = "") -> str:
        self.placeholders.append((kind, item, alt))
        return f"lbx{self.nonce}x{len(self.placeholders) - 1}x"

    def __call__(self, root: int) -> list[int]:
        self.visit(root)
        return self.removed

    def discard(self, node: int) -> None:
        """Take a node out of the tree; ``to_html`` frees it after rendering."""
        _unlink(node)
        self.removed.append(node)

    def visit(self, node: int) -> None:
        for child in _children(node):
            kind = _kind(child)
            if kind == "paragraph":
                self.paragraph(child)
            elif kind == "heading":
                level = _get_heading_level(child)
                _set_heading_level(child, min(6, level + _HEADING_SHIFT))
                self.visit(child)
            elif kind in {"html_block", "html_inline"}:
                notice = _html_notice(
                    (_get_literal(child) or b"").decode(), block=kind == "html_block"
                )
                if notice:
                    self.notices.append(notice)
                if kind == "html_block":
                    self.discard(child)
            elif kind == "image":
                self.image(child)
            elif kind == "link":
                self.link(child)
                self.visit(child)
            elif kind not in {"code_block", "code", "text"}:
                self.visit(child)

    def link(self, node: int) -> None:
        url = (_get_url(node) or b"").decode()
        found = _SCHEME.match(url)
        if url and not _has_host(url) and found and found.group(1).lower() in {"http", "https"}:
            self.notices.append(
                Notice(
                    "bad_link",
                    f"This link will not work: {_snippet(url)} is not a valid address; its "
                    "text is shown.",
                )
            )
        elif found and found.group(1).lower() not in LINK_SCHEMES:
            self.notices.append(
                Notice(
                    "link_scheme",
                    f"This link will not work: {_snippet(url)} (only http, https and "
                    "mailto links are kept); its text is shown.",
                )
            )

    def image(self, node: int) -> None:
        url = (_get_url(node) or b"").decode()
        alt = _text_of(node).strip()
        self.image_urls.append(url)
        item = self.media.get(file_name(url)) if url else None
        if item is not None:
            placeholder = _text_node(self.token("image", item, alt))
            _insert_before(node, placeholder)
            self.discard(node)
            return
        self.notices.append(
            Notice(
                "remote_image",
                f"This image will not be shown: {_snippet(url) or '(no address)'}. Only "
                "images uploaded to this blog are shown; upload the image instead. Readers "
                "get a link to it.",
            )
        )
        link = _new_node(_LINK)
        _set_url(link, url.encode())
        for child in _children(node):
            _append_child(link, child)
        if not _first_child(link):
            _append_child(link, _text_node(alt or url))
        _insert_before(node, link)
        self.discard(node)

    def paragraph(self, node: int) -> None:
        """Split out the lines that are a URL alone, then visit what remains."""
        if not self.find_embeds:
            self.visit(node)
            return
        lines: list[list[int]] = [[]]
        breaks: list[int] = []
        for child in _children(node):
            if _kind(child) in {"softbreak", "linebreak"}:
                breaks.append(child)
                lines.append([])
            else:
                lines[-1].append(child)
        urls = [self.lone_url(line) for line in lines]
        if not any(urls):
            self.visit(node)
            return
        current: int | None = None
        made: list[int] = []
        for index, (line, url) in enumerate(zip(lines, urls, strict=True)):
            if url:
                self.embed_urls.append(url)
            if url and url in self.embeds:
                block = _new_node(_PARAGRAPH)
                _append_child(block, _text_node(self.token("embed", self.embeds[url])))
                _insert_before(node, block)
                current = None
                continue
            if current is None:
                current = _new_node(_PARAGRAPH)
                _insert_before(node, current)
                made.append(current)
            elif index > 0:
                _append_child(current, breaks[index - 1])
            for child in line:
                _append_child(current, child)
        self.discard(node)  # with the breaks around the embeds, which no line took
        for paragraph in made:
            if _first_child(paragraph):
                self.visit(paragraph)
            else:
                self.discard(paragraph)

    @staticmethod
    def lone_url(line: list[int]) -> str:
        """The URL if the line is only a bare link to it (an autolink), else ''."""
        # The autolink extension leaves empty text nodes beside the link it makes.
        line = [node for node in line if _kind(node) != "text" or _text_of(node).strip()]
        if len(line) != 1 or _kind(line[0]) != "link":
            return ""
        url = (_get_url(line[0]) or b"").decode()
        if not url.startswith(("https://", "http://")) or _text_of(line[0]) != url:
            return ""
        return url


def analyse(
    text: str,
    *,
    media: Sequence[Mapping[str, Any]] = (),
    embeds: Sequence[Mapping[str, Any]] = (),
    file_url: Callable[[str], str] | None = None,
) -> Analysis:
    """Render ``text`` with its ``media`` and ``embeds`` (as entry events carry them).

    The one place that decides what readers get from a body: projections, the API's
    warnings and the desk's preview all come through here.
    """
    if not _may_need_editing(text):
        # Nothing for the walk to find: most entries, and most of a rebuild's time saved.
        return Analysis(_CLEANER.clean(_PARSER.to_html(text)).strip(), (), (), ())
    if file_url is None:
        from liveblog import media as stored_media

        file_url = stored_media.file_url
    by_name = {PurePosixPath(file["name"]).name: item for item in media for file in item["files"]}
    editor = _Editor(
        by_name,
        {item["url"]: item for item in embeds},
        find_embeds=_LONE_URL.search(text) is not None,
    )
    html = _CLEANER.clean(_PARSER.to_html(text, editor)).strip()
    if editor.placeholders:
        html = _TOKEN.sub(lambda match: _fill(match, editor, file_url), html)
    for url in editor.embed_urls:
        item = editor.embeds.get(url)
        if item is not None and not item["title"] and not item["html"]:
            editor.notices.append(
                Notice(
                    "embed_unavailable",
                    f"{item['provider'] or 'The site'} did not describe {_snippet(url)} in "
                    "time; readers get a link card.",
                )
            )
    return Analysis(
        html=html,
        warnings=tuple(dict.fromkeys(editor.notices)),
        image_urls=tuple(editor.image_urls),
        embed_urls=tuple(dict.fromkeys(editor.embed_urls)),
    )


def render_markdown(text: str) -> str:
    """Return safe HTML for Markdown written by an editor (or imported from a page)."""
    return analyse(text).html


def _fill(match: re.Match[str], editor: _Editor, file_url: Callable[[str], str]) -> str:
    token = match.group(1) or match.group(2)
    if not token.startswith(f"lbx{editor.nonce}x"):
        return match.group(0)  # the editor typed something token-shaped: leave it as text
    kind, item, alt = editor.placeholders[int(token.rsplit("x", 2)[1])]
    block = match.group(1) is not None
    if kind == "embed":
        return embed_card(item, file_url)
    return image_html(item, file_url, alt=alt, block=block)


def image_html(
    item: Mapping[str, Any], file_url: Callable[[str], str], *, alt: str = "", block: bool = True
) -> str:
    """An uploaded image: a figure with caption and credit, or an inline image in a line."""
    files = item["files"]
    widest = files[-1]
    srcset = ", ".join(f"{file_url(file['name'])} {file['width']}w" for file in files)
    fallback = next((file for file in files if file["width"] >= 960), widest)
    img = format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="lazy" decoding="async">',
        file_url(fallback["name"]),
        srcset,
        IMAGE_SIZES,
        widest["width"],
        widest["height"],
        alt or item["alt"],
    )
    if not block:
        return img
    caption = ""
    if item["caption"] or item["credit"]:
        credit = (
            format_html(' <span class="media-credit">{}</span>', item["credit"])
            if item["credit"]
            else ""
        )
        caption = format_html("<figcaption>{}{}</figcaption>", item["caption"], credit)
    return format_html('<figure class="entry-image">{}{}</figure>', img, caption)


def embed_card(item: Mapping[str, Any], file_url: Callable[[str], str]) -> str:
    """A post from elsewhere as a card: no request leaves for its site until a reader asks.

    The provider's player (``html``) rides along in an attribute; ``static/liveblog/
    embeds.js`` puts it in a sandboxed frame when the reader clicks "Show the post".
    """
    provider = item["provider"] or _host(item["url"]) or "the web"
    thumbnail = ""
    if item["thumbnail"]:
        file = item["thumbnail"]
        thumbnail = format_html(
            '<img class="embed-thumbnail" src="{}" width="{}" height="{}" alt="" '
            'loading="lazy" decoding="async">',
            file_url(file["name"]),
            file["width"],
            file["height"],
        )
    parts = [format_html('<span class="embed-provider">{}</span>', provider)]
    if item["author"]:
        parts.append(format_html('<span class="embed-author">{}</span>', item["author"]))
    if item["title"]:
        parts.append(format_html('<span class="embed-title">{}</span>', item["title"]))
    action = (
        format_html(
            '<a class="embed-show" href="{}" rel="noopener noreferrer nofollow" '
            "data-embed-show>Show the post from {}</a>",
            item["url"],
            provider,
        )
        if item["html"]
        else format_html(
            '<a class="embed-open" href="{}" rel="noopener noreferrer nofollow">Open it on {}</a>',
            item["url"],
            provider,
        )
    )
    return format_html(
        '<figure class="embed" data-embed-provider="{}" data-embed-kind="{}"{}>{}'
        '<figcaption class="embed-text">{}</figcaption><p class="embed-actions">{}</p></figure>',
        provider,
        item["kind"],
        format_html(' data-embed-html="{}"', item["html"]) if item["html"] else "",
        thumbnail,
        format_html("".join(["{}"] * len(parts)), *parts),
        action,
    )
