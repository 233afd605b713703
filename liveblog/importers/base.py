"""What every text importer returns, and the one error type parsers may raise.

Parsers are pure functions: ``parse(text, *, source, time_zone, year) -> ParsedBlog``. They
never touch the database; ``liveblog.importers.loader`` turns a ParsedBlog into commands.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime


class ImportParseError(Exception):
    """The input cannot be imported; says where and why so the archivist can fix it."""

    def __init__(self, reason: str, *, source: str, line: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


@dataclasses.dataclass(frozen=True)
class ImportNotice:
    """A decision the parser made about an anomaly (a warning), with where it happened."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclasses.dataclass(frozen=True)
class SetAsideText:
    """Text the parser did not put in any entry: page furniture, or text it could not place."""

    source: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.why}: {self.text!r}"


@dataclasses.dataclass(frozen=True)
class ParsedEntry:
    """One update as published: its newsroom time, optional headline and Markdown body."""

    occurred_at: datetime  # timezone-aware
    body: str  # Markdown; paragraphs separated by a blank line
    headline: str
    line: int  # 1-based line of the entry's time stamp in the source


@dataclasses.dataclass
class ParsedBlog:
    """Everything a parser found in one file. Entries are in chronological order."""

    format: str
    source: str
    time_zone: str
    title: str | None = None
    introduction: str = ""
    entries: list[ParsedEntry] = dataclasses.field(default_factory=list)
    warnings: list[ImportNotice] = dataclasses.field(default_factory=list)
    set_aside: list[SetAsideText] = dataclasses.field(default_factory=list)
