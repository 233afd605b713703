"""One parse's state, and the finishing step every text parser shares.

A parser walks its lines filling a ``ParseState`` (entries as drafts, warnings, set-aside
text); ``finish`` then decides missing a.m./p.m. from the neighbours, settles the order, builds
the entries and sorts the report, so every format ends the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from liveblog.importers.base import (
    ImportNotice,
    ImportParseError,
    ParsedBlog,
    ParsedEntry,
    SetAsideText,
)
from liveblog.importers.bodies import markdown_body
from liveblog.importers.chronology import Stamped, newest_first, resolve_meridiem, settle_order
from liveblog.importers.furniture import furniture_notices


@dataclasses.dataclass
class Draft:
    """An entry as the parser collects it: its stamp, text and (when known) headline."""

    stamp: Stamped
    line_text: str
    paragraphs: list[str]
    headline: str = ""
    author: str = ""


@dataclasses.dataclass
class ParseState:
    """Mutable state of one parse; kept together so the steps stay small functions."""

    source: str
    blog: ParsedBlog
    drafts: list[Draft] = dataclasses.field(default_factory=list)
    intro: list[str] = dataclasses.field(default_factory=list)
    current: Draft | None = None

    def warn(self, line: int, message: str) -> None:
        self.blog.warnings.append(ImportNotice(self.source, line, message))

    def set_aside(self, line: int, text: str, why: str) -> None:
        self.blog.set_aside.append(SetAsideText(self.source, line, text, why))

    def has_text(self, draft: Draft) -> bool:
        """Whether the draft has text to publish; one without is set aside, with a warning."""
        if draft.paragraphs:
            return True
        self.set_aside(draft.stamp.line, draft.line_text, "could not place")
        self.warn(draft.stamp.line, "time stamp with no text after it; set aside")
        return False


def finish(state: ParseState, *, empty: str, then: Callable[[], None] | None = None) -> ParsedBlog:
    """Decide missing a.m./p.m., settle the order, build the entries and sort the report.

    ``empty`` is the refusal when no entry was found, in the format's own words; ``then``
    adds a format's own warnings once the entries are built.
    """
    blog = state.blog
    drafts = state.drafts
    if not drafts:
        raise ImportParseError(empty, source=state.source)
    stamps = [draft.stamp for draft in drafts]
    newest = newest_first([stamp.when for stamp in stamps])
    blog.warnings.extend(resolve_meridiem(stamps, source=state.source, newest=newest))
    order, notices = settle_order(stamps, source=state.source, newest=newest)
    blog.warnings.extend(notices)
    for index in order:
        draft = drafts[index]
        when = draft.stamp.when
        if when is None:  # resolve_meridiem decides every time; this keeps types honest
            continue
        blog.entries.append(
            ParsedEntry(
                occurred_at=when,
                body=markdown_body(draft.paragraphs),
                headline=draft.headline,
                line=draft.stamp.line,
                author=draft.author,
            )
        )
    blog.introduction = blog.introduction or markdown_body(state.intro)
    if then is not None:
        then()
    blog.set_aside.sort(key=lambda item: item.line)
    blog.warnings.extend(furniture_notices(blog.set_aside, source=state.source))
    blog.warnings.sort(key=lambda notice: notice.line)
    return blog
