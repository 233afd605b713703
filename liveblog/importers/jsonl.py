"""The project's own JSON Lines format: one event of a blog's log per line.

``export_lines`` writes it; ``parse`` reads it back into ExportedEvents (a pure function:
text in, events out) which ``loader.import_events`` replays through the commands.

An export describes one blog, named by every line's ``blog`` (a valid slug) and created by
its first line: its ``blog.created`` is read as creating that blog, whatever the blog was
first called. It holds that blog's whole log, so every event about an entry follows the
publication of that entry in the same file (or, for the desk's private events, the event that
put it on the desk: drafted, submitted or scheduled); a line about any other entry, a second
``blog.created`` or a second blog refuses the whole file, with its line and why.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from liveblog import events as ev
from liveblog import slugs
from liveblog.errors import LiveblogError
from liveblog.importers.base import ImportParseError, load_json

FORMAT_NAME = "jsonl"
_FIELDS = {
    "blog",
    "seq",
    "type",
    "entry_id",
    "payload",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "actor",
}


@dataclasses.dataclass(frozen=True)
class ExportedEvent:
    """One line of an export, validated and decoded."""

    line: int
    blog: str
    seq: int
    event: ev.DomainEvent
    entry_id: uuid.UUID | None
    occurred_at: datetime
    recorded_at: datetime
    actor: str


def export_line(event: Any, *, slug: str) -> str:
    """Serialise one Event row (stable key order, so exports diff cleanly)."""
    return json.dumps(
        {
            "blog": slug,
            "seq": event.seq,
            "type": event.type,
            "entry_id": str(event.entry_id) if event.entry_id else None,
            "payload": event.payload,
            "schema_version": event.schema_version,
            "occurred_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(),
            "actor": event.actor,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _time(value: Any, field: str, *, source: str, line: int) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportParseError(
            f"{field} {value!r} is not an ISO 8601 time", source=source, line=line
        ) from None
    if parsed.tzinfo is None:
        raise ImportParseError(f"{field} {value!r} has no UTC offset", source=source, line=line)
    return parsed


def _decode_line(raw: str, *, source: str, line: int) -> ExportedEvent:
    try:
        record = load_json(raw)
    except json.JSONDecodeError as exc:
        raise ImportParseError(f"not valid JSON ({exc.msg})", source=source, line=line) from None
    except ValueError as exc:
        raise ImportParseError(f"not valid JSON ({exc})", source=source, line=line) from None
    if not isinstance(record, dict) or set(record) != _FIELDS:
        raise ImportParseError(
            f"expected an object with the fields {sorted(_FIELDS)}", source=source, line=line
        )
    seq, version = record["seq"], record["schema_version"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ImportParseError(f"seq {seq!r} is not a whole number >= 1", source=source, line=line)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportParseError("schema_version is not a whole number", source=source, line=line)
    if not isinstance(record["payload"], dict):
        raise ImportParseError("payload is not an object", source=source, line=line)
    for field in ("blog", "type", "actor"):
        if not isinstance(record[field], str) or not record[field]:
            raise ImportParseError(f"{field} must be non-empty text", source=source, line=line)
    payload = record["payload"]
    try:
        slugs.check(record["blog"])
        if record["type"] == ev.BlogCreated.TYPE:
            # The file names its blog; an old first name (renamed since) is not used.
            payload = {**payload, "slug": record["blog"]}
        event = ev.decode(record["type"], version, payload)
    except LiveblogError as exc:
        raise ImportParseError(exc.message, source=source, line=line) from None
    entry_id = None
    if event.CONCERNS_ENTRY:
        try:
            entry_id = uuid.UUID(str(record["entry_id"]))
        except ValueError:
            raise ImportParseError(
                f"{record['type']} needs an entry_id, got {record['entry_id']!r}",
                source=source,
                line=line,
            ) from None
    return ExportedEvent(
        line=line,
        blog=record["blog"],
        seq=seq,
        event=event,
        entry_id=entry_id,
        occurred_at=_time(record["occurred_at"], "occurred_at", source=source, line=line),
        recorded_at=_time(record["recorded_at"], "recorded_at", source=source, line=line),
        actor=record["actor"],
    )


def _check_belongs(
    exported: ExportedEvent,
    published: dict[uuid.UUID, int],
    *,
    source: str,
    on_desk: dict[uuid.UUID, int] | None = None,
) -> None:
    """Refuse an event that is not about the blog being read or one of its own entries."""
    event, entry_id = exported.event, exported.entry_id
    on_desk = {} if on_desk is None else on_desk
    if isinstance(event, ev.BlogCreated) and exported.seq != 1:
        raise ImportParseError(
            "a second blog.created: an export holds one blog", source=source, line=exported.line
        )
    if entry_id is None:
        return
    if event.PRIVATE:
        if isinstance(event, ev.DeskDrafted | ev.DeskScheduled | ev.DeskSubmitted):
            on_desk.setdefault(entry_id, exported.line)
        elif entry_id not in on_desk:
            raise _not_its_own(exported, "update", "put on the desk", source=source)
        return
    if isinstance(event, ev.EntryPublished):
        if entry_id in published:
            raise ImportParseError(
                f"entry {entry_id} is published twice (first at line {published[entry_id]})",
                source=source,
                line=exported.line,
            )
        published[entry_id] = exported.line
    elif entry_id not in published:
        raise _not_its_own(exported, "entry", "publish", source=source)


def _not_its_own(
    exported: ExportedEvent, what: str, creating: str, *, source: str
) -> ImportParseError:
    """An event about an entry or update the export did not create: another blog's."""
    plural = "entries" if what == "entry" else f"{what}s"
    return ImportParseError(
        f"{exported.event.TYPE} for {what} {exported.entry_id}, which this file does not "
        f"{creating}: an export may change only the {plural} of its own blog, {exported.blog!r}",
        source=source,
        line=exported.line,
    )


def parse(text: str, *, source: str) -> list[ExportedEvent]:
    """Read an export: one blog's events, seq 1, 2, 3... with nothing missing."""
    events: list[ExportedEvent] = []
    published: dict[uuid.UUID, int] = {}
    on_desk: dict[uuid.UUID, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        exported = _decode_line(raw, source=source, line=number)
        if events and exported.blog != events[0].blog:
            raise ImportParseError(
                f"event of blog {exported.blog!r} in an export of {events[0].blog!r}; "
                "export one blog per file",
                source=source,
                line=number,
            )
        expected = len(events) + 1
        if exported.seq != expected:
            raise ImportParseError(
                f"seq {exported.seq} where {expected} was expected: the export is incomplete "
                "or out of order",
                source=source,
                line=number,
            )
        if expected == 1 and not isinstance(exported.event, ev.BlogCreated):
            raise ImportParseError(
                "an export must start with blog.created", source=source, line=number
            )
        _check_belongs(exported, published, source=source, on_desk=on_desk)
        events.append(exported)
    if not events:
        raise ImportParseError("the file holds no events", source=source)
    return events


def looks_like_jsonl(text: str) -> bool:
    for raw in text.splitlines():
        if raw.strip():
            return raw.lstrip().startswith("{") and '"type"' in raw
    return False


def iter_export(events: Iterable[Any], *, slug: str) -> Iterator[str]:
    for event in events:
        yield export_line(event, slug=slug) + "\n"
