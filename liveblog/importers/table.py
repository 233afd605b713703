"""Format "table": a generic CSV or JSON of (time, headline, body, author) rows.

The way off a system we have no importer for: a spreadsheet or a script's output. Columns
(or keys) are recognised by name: ``time`` (or timestamp, date, datetime, published,
published_at, occurred_at, datePublished), ``body`` (or text, content, articleBody, html),
``headline`` (or title), ``author`` (or byline, by), and optionally ``key_event`` and
``pinned``. JSON is a list of such objects, or an object holding one under ``entries``,
``items`` or ``updates``. Times in ISO 8601 keep their offset; others are read with the
stamp reader (and --timezone). The csv module reads CSV with its dialect sniffed (comma,
semicolon or tab); bodies holding HTML go through ``html.fragment_markdown``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, tzinfo
from typing import Any

from liveblog.importers.base import (
    ImportNotice,
    ImportParseError,
    ParsedBlog,
    ParsedEntry,
    SetAsideText,
    load_json,
)
from liveblog.importers.bodies import markdown_body
from liveblog.importers.chronology import Stamped, newest_first, settle_order
from liveblog.importers.html import fragment_markdown
from liveblog.importers.options import ParseOptions
from liveblog.importers.stamps import combine, read_stamp, zone

FORMAT = "table"

_TIME = ("time", "timestamp", "date", "datetime", "published", "published_at", "occurred_at",
         "datepublished", "created", "created_at")  # fmt: skip
_BODY = ("body", "text", "content", "articlebody", "html", "message")
_HEADLINE = ("headline", "title")
_AUTHOR = ("author", "byline", "by", "writer")
_KEY = ("key_event", "key", "highlight", "important")
_PINNED = ("pinned", "sticky")
_TRUE = {"1", "true", "yes", "y", "x"}


def _pick(keys: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {key.strip().lower().replace(" ", "_"): key for key in keys if isinstance(key, str)}
    return next((lowered[name] for name in names if name in lowered), None)


def _json_rows(data: Any) -> list[Any] | None:
    if isinstance(data, dict):
        data = next((data[k] for k in ("entries", "items", "updates") if k in data), None)
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        return data
    return None


def sniff(text: str) -> bool:
    """Say whether a file is a CSV or JSON table of entries with time and body columns."""
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        try:
            rows = _json_rows(load_json(stripped))
        except ValueError:
            return False
        return rows is not None and _has_columns(list(rows[0]))
    first = stripped.split("\n", 1)[0]
    if not any(sep in first for sep in (",", ";", "\t")) or len(first) > 500:
        return False
    try:
        header = next(csv.reader([first], dialect=_dialect(first)))
    except (csv.Error, StopIteration):
        return False
    return _has_columns(header)


def _has_columns(keys: list[str]) -> bool:
    return _pick(keys, _TIME) is not None and _pick(keys, _BODY) is not None


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse(text: str, options: ParseOptions) -> ParsedBlog:
    """Parse a CSV or JSON table of entries (see module doc)."""
    source, time_zone = options.source, options.time_zone
    tz = zone(time_zone, source=source)
    stripped = text.lstrip()
    rows: list[tuple[int, str, dict[str, Any]]] = []
    if stripped[:1] in ("[", "{"):
        try:
            data = _json_rows(load_json(stripped))
        except ValueError as exc:
            raise ImportParseError(f"not valid JSON ({exc})", source=source) from None
        if data is None:
            raise ImportParseError(
                "expected a JSON list of objects (or {'entries': [...]})", source=source
            )
        rows = [(0, f"entry {n + 1}", row) for n, row in enumerate(data)]
    else:
        reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text[:4096]))
        try:
            start = 2  # the line after the header, where the first row begins
            for row in reader:
                rows.append((start, "", row))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportParseError(
                f"not valid CSV ({exc})", source=source, line=reader.line_num
            ) from None
    if not rows:
        raise ImportParseError("the table has no rows", source=source)
    keys = list(rows[0][2])
    columns = {
        "time": _pick(keys, _TIME),
        "body": _pick(keys, _BODY),
        "headline": _pick(keys, _HEADLINE),
        "author": _pick(keys, _AUTHOR),
        "key": _pick(keys, _KEY),
        "pinned": _pick(keys, _PINNED),
    }
    if columns["time"] is None or columns["body"] is None:
        raise ImportParseError(
            f"the table needs a time and a body column; it has {', '.join(map(str, keys))}",
            source=source,
            line=1,
        )
    blog = ParsedBlog(format=FORMAT, source=source, time_zone=time_zone)
    found: list[ParsedEntry] = []
    for line, element, row in rows:
        entry = _row(row, columns, blog, tz, source=source, line=line, element=element)
        if entry is not None:
            found.append(entry)
    if not found:
        raise ImportParseError("no row has a body; nothing to import", source=source)
    stamps = [Stamped(line=i + 1, when=e.occurred_at) for i, e in enumerate(found)]
    order, notices = settle_order(
        stamps, source=source, newest=newest_first([s.when for s in stamps])
    )
    for notice in notices:
        entry = found[notice.line - 1]
        blog.warnings.append(ImportNotice(source, entry.line, notice.message, entry.element))
    blog.entries = [found[i] for i in order]
    return blog


def _cell(row: dict[str, Any], column: str | None) -> Any:
    return row.get(column) if column is not None else None


def _row(
    row: dict[str, Any],
    columns: dict[str, str | None],
    blog: ParsedBlog,
    tz: tzinfo,
    *,
    source: str,
    line: int,
    element: str,
) -> ParsedEntry | None:
    raw_body = _cell(row, columns["body"])
    body_text = "" if raw_body is None else str(raw_body)
    paragraphs, notices, aside = fragment_markdown(
        body_text, source=source, line=line, element=element
    )
    blog.warnings.extend(notices)
    blog.set_aside.extend(aside)
    headline = str(_cell(row, columns["headline"]) or "").strip()
    if not paragraphs:
        if not headline:
            blog.warnings.append(
                ImportNotice(source, line, "a row with no body; set aside", element)
            )
            blog.set_aside.append(SetAsideText(source, line, str(row)[:200], "empty row", element))
            return None
        paragraphs, headline = [headline], ""
    when = _time(_cell(row, columns["time"]), tz, source=source, line=line, element=element)
    author = _cell(row, columns["author"])
    if isinstance(author, dict):
        author = author.get("name", "")
    return ParsedEntry(
        occurred_at=when,
        body=markdown_body(paragraphs),
        headline=headline[:300],
        line=line,
        author=str(author or "").strip()[:200],
        key_event=_flag(_cell(row, columns["key"])),
        pinned=_flag(_cell(row, columns["pinned"])),
        element=element,
    )


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _time(value: Any, tz: tzinfo, *, source: str, line: int, element: str) -> datetime:
    text = str(value or "").strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return when if when.tzinfo is not None else when.replace(tzinfo=tz)
    except ValueError:
        pass
    stamp = read_stamp(text)
    if stamp is not None and stamp.valid and stamp.year and stamp.month and stamp.day:
        hour = (
            stamp
            if stamp.hour is not None
            else stamp.__class__(**{**stamp.__dict__, "hour": stamp.hour12})
        )
        return combine(date(stamp.year, stamp.month, stamp.day), hour, tz)
    raise ImportParseError(
        f"time {text!r} is not a date and time this importer can read; write it as "
        "2023-09-20T22:58:00+04:00",
        source=source,
        line=line or None,
        element=element,
    )
