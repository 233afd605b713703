"""What every importer returns, and the one error type parsers may raise.

Parsers are pure functions: ``parse(text, options: ParseOptions) -> ParsedBlog`` (``options``).
They never touch the database; ``liveblog.importers.loader`` turns a ParsedBlog into commands.
Every message says where: the file and line, and for HTML the element too.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any


def _where(source: str, line: int | None, element: str) -> str:
    where = f"{source}:{line}" if line else source
    return f"{where} ({element})" if element else where


def load_json(text: str) -> Any:
    """``json.loads``, where JSON nested too deeply to read is a ValueError too.

    Python's json recurses into arrays and objects and raises a RecursionError at about a
    thousand levels; the importers read malformed JSON as a ValueError, so this is one.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


class ImportParseError(Exception):
    """The input cannot be imported; says where and why so the archivist can fix it."""

    def __init__(
        self, reason: str, *, source: str, line: int | None = None, element: str = ""
    ) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.element = element
        super().__init__(f"{_where(source, line, element)}: {reason}")


@dataclasses.dataclass(frozen=True)
class ImportNotice:
    """A decision the parser made about an anomaly (a warning), with where it happened."""

    source: str
    line: int
    message: str
    element: str = ""  # for HTML: the element it concerns, e.g. "article#post-12"

    def __str__(self) -> str:
        return f"{_where(self.source, self.line, self.element)}: {self.message}"


@dataclasses.dataclass(frozen=True)
class SetAsideText:
    """Text the parser did not put in any entry: page furniture, or text it could not place."""

    source: str
    line: int
    text: str
    why: str
    element: str = ""

    def __str__(self) -> str:
        return f"{_where(self.source, self.line, self.element)}: {self.why}: {self.text!r}"


@dataclasses.dataclass(frozen=True)
class Revision:
    """A later version of an entry in the source system (an edit), with when and who."""

    occurred_at: datetime
    body: str
    headline: str
    author: str = ""


@dataclasses.dataclass(frozen=True)
class Retraction:
    """The source system deleted the entry: when, by whom."""

    occurred_at: datetime
    author: str = ""


@dataclasses.dataclass(frozen=True)
class ParsedEntry:
    """One update as published: its newsroom time, optional headline and Markdown body.

    ``author`` is the byline's display name ("" when the source names none). Exports of other
    systems also give flags and a history: later ``revisions`` and a ``retraction``.
    """

    occurred_at: datetime  # timezone-aware
    body: str  # Markdown; paragraphs separated by a blank line
    headline: str
    line: int  # 1-based line of the entry's time stamp (or element) in the source
    author: str = ""
    key_event: bool = False
    pinned: bool = False
    revisions: tuple[Revision, ...] = ()
    retraction: Retraction | None = None
    element: str = ""


@dataclasses.dataclass
class ParsedBlog:
    """Everything a parser found in one file. Entries are in chronological order.

    ``published_at`` and ``updated_at`` are the page's own stamps (metadata, not entries).
    """

    format: str
    source: str
    time_zone: str
    title: str | None = None
    introduction: str = ""
    entries: list[ParsedEntry] = dataclasses.field(default_factory=list)
    warnings: list[ImportNotice] = dataclasses.field(default_factory=list)
    set_aside: list[SetAsideText] = dataclasses.field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    system: str = ""  # the system an export came from, named in corrections ("WordPress")
