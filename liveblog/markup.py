"""Entry text is Markdown; readers get sanitized HTML.

cmark-gfm (GitHub's C implementation) renders, and nh3 (the Ammonia sanitizer) removes
anything executable: script and style elements, event-handler attributes, iframes, and
links whose scheme is not http, https or mailto.
"""

from __future__ import annotations

import ctypes
import threading

import nh3
from cmarkgfm import _cmark, cmark
from cmarkgfm.cmark import Options

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
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
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


def render_markdown(text: str) -> str:
    """Return safe HTML for Markdown written by an editor (or imported from a page)."""
    return _CLEANER.clean(_PARSER.to_html(text)).strip()


# cmarkgfm hands the document tree and the rendered HTML over to the caller and frees
# neither (its own github_flavored_markdown_to_html leaked ~42 KB per 1.3 KB text): they
# are freed here with cmark-gfm's own functions, from the library cffi already loaded.
class _Allocator(ctypes.Structure):
    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


_LIBRARY = ctypes.CDLL(_cmark.__file__)
_LIBRARY.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Allocator)
_LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
_LIBRARY.cmark_node_free.restype = None
_NODE_FREE = _LIBRARY.cmark_node_free
_FREE = _LIBRARY.cmark_get_default_mem_allocator().contents.free


def _address(pointer: object) -> int:
    return int(_cmark.ffi.cast("uintptr_t", pointer))


class _Parser:
    """One cmark-gfm parser with the GitHub extensions attached, used by one text at a time.

    cmarkgfm's github_flavored_markdown_to_html builds a parser and looks up and attaches the
    extensions for every text: almost half of its time for a short entry. cmark-gfm resets a
    parser when it finishes a document (new document node and link-reference map, same
    extensions), so one parser renders each text as a new parser would.

    The lock is needed with any number of parsers: cmark-gfm switches the extensions'
    special characters on and off in a process-wide table around each parse, so threads
    parsing at the same time lose each other's strikethrough and autolinks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pointer = self._new_pointer()

    @staticmethod
    def _new_pointer() -> object:
        pointer = cmark.parser_new(_OPTIONS)
        for extension in _EXTENSIONS:
            cmark.parser_attach_syntax_extension(pointer, extension)
        return pointer

    def to_html(self, text: str) -> str:
        with self._lock:
            try:
                cmark.parser_feed(self._pointer, text)
                root = cmark.parser_finish(self._pointer)
            except BaseException:
                # Whatever was fed must not become the start of the next text.
                cmark.parser_free(self._pointer)
                self._pointer = self._new_pointer()
                raise
            try:
                extensions = cmark.parser_get_syntax_extensions(self._pointer)
                html = _cmark.lib.cmark_render_html(root, _OPTIONS, extensions)
                try:
                    return _cmark.ffi.string(html).decode("utf-8")
                finally:
                    _FREE(_address(html))
            finally:
                _NODE_FREE(_address(root))


_PARSER = _Parser()
