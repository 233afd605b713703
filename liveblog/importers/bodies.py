"""Entry bodies: how paragraphs, bullets and run-in editor's notes become Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence

from liveblog.importers.stamps import plain

_BULLET = re.compile(
    r"^(?:[-*\u2013]\s+|[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2219]\s*)(?P<item>\S.*)$"
)
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+\S")
_INLINE_NOTE = re.compile(
    r"(?<=[.!?\"\u201d\u2019\])])\s*(?=\[?(?:Editor(?:'|\u2019)?s(?:'|\u2019)?\s+note\b"
    r"|Update(?:d)?\s*(?::|\d)|UPDATE\b))"
)


def split_inline_notes(text: str) -> list[str]:
    """Give an editor's note or "Updated:" addition glued onto a paragraph its own paragraph."""
    if "pdate" not in text and "ditor" not in text and "PDATE" not in text:
        return [text]
    parts: list[str] = []
    start = 0
    for match in _INLINE_NOTE.finditer(text):
        if match.start() <= start:
            continue
        parts.append(text[start : match.start()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def as_paragraph(text: str) -> tuple[str, bool]:
    """Return a line as Markdown, and whether it is a list item (bullets become '- item')."""
    bullet = _BULLET.match(text)
    if bullet:
        return "- " + bullet.group("item"), True
    return text, bool(_NUMBERED.match(text))


def markdown_body(paragraphs: Sequence[str]) -> str:
    """Join paragraphs with a blank line, keeping consecutive list items in one list."""
    parts: list[str] = []
    previous_item = False
    for paragraph in paragraphs:
        text, item = as_paragraph(paragraph)
        if parts:
            parts.append("\n" if item and previous_item else "\n\n")
        parts.append(text)
        previous_item = item
    return "".join(parts)


def normalised_text(text: str) -> str:
    """Collapse whitespace, case and look-alike letters so two copies of a text compare equal."""
    return " ".join(plain(text).split()).casefold()


_HEADLINE_MAX = 150
_CLOSING = " \"'\u2019\u201d\u00bb)]"
_FINAL_PUNCTUATION = ".!?:;,\u2026"


def looks_like_headline(text: str) -> bool:
    """Say whether an entry's first line reads as a headline: short, no closing punctuation."""
    if len(text) > _HEADLINE_MAX or as_paragraph(text)[1]:
        return False
    core = text.rstrip(_CLOSING)
    return bool(core) and core[-1] not in _FINAL_PUNCTUATION
