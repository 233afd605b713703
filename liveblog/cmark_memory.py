"""cmark-gfm's parser through cmarkgfm's bindings, with the memory they leave us given back.

cmarkgfm hands the document tree and the rendered HTML over to the caller and frees
neither, so every render kept its text's tree (BENCHMARKS.md, "Speed tricks"). They are
freed here with cmark-gfm's own functions, from the library that cffi already loaded;
tests/test_cmark_memory.py renders many texts and watches the memory.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterable

from cmarkgfm import _cmark, cmark


class _Allocator(ctypes.Structure):
    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


#: cmark-gfm itself, for the functions cmarkgfm's bindings lack (see ``markup``).
LIBRARY = ctypes.CDLL(_cmark.__file__)
LIBRARY.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Allocator)
LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
LIBRARY.cmark_node_free.restype = None
_free_node = LIBRARY.cmark_node_free
_free = LIBRARY.cmark_get_default_mem_allocator().contents.free


def address(pointer: object) -> int:
    """A cffi pointer of cmarkgfm's as the number ctypes functions take."""
    return int(_cmark.ffi.cast("uintptr_t", pointer))


class Parser:
    """One cmark-gfm parser with its extensions attached, used by one text at a time.

    Reused because building a parser and attaching the extensions for every text is most
    of the cost of a short one. cmark-gfm resets a parser when it finishes a document (new
    document node and link-reference map, same extensions), so one parser renders each
    text as a new parser would.

    The lock is needed with any number of parsers: cmark-gfm switches the extensions'
    special characters on and off in a process-wide table around each parse, so threads
    parsing at the same time lose each other's strikethrough and autolinks.
    """

    def __init__(self, options: int, extensions: Iterable[object]) -> None:
        self._options = options
        self._extensions = tuple(extensions)
        self._lock = threading.Lock()
        self._pointer = self._new_pointer()

    def _new_pointer(self) -> object:
        pointer = cmark.parser_new(self._options)
        for extension in self._extensions:
            cmark.parser_attach_syntax_extension(pointer, extension)
        return pointer

    def to_html(self, text: str, edit: Callable[[int], list[int]] | None = None) -> str:
        """Render ``text``; ``edit`` may change the document tree (its address) first.

        ``edit`` returns the nodes it took out of the tree, freed only after rendering: the
        words of a paragraph point into the paragraph's own text, so a paragraph whose
        children moved elsewhere must outlive them.
        """
        with self._lock:
            try:
                cmark.parser_feed(self._pointer, text)
                root = cmark.parser_finish(self._pointer)
            except BaseException:
                # Whatever was fed must not become the start of the next text.
                cmark.parser_free(self._pointer)
                self._pointer = self._new_pointer()
                raise
            removed: list[int] = []
            try:
                if edit is not None:
                    removed = edit(address(root))
                extensions = cmark.parser_get_syntax_extensions(self._pointer)
                html = _cmark.lib.cmark_render_html(root, self._options, extensions)
                try:
                    return str(_cmark.ffi.string(html).decode("utf-8"))
                finally:
                    _free(address(html))
            finally:
                _free_node(address(root))
                for node in removed:
                    _free_node(node)
