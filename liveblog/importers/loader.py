"""Turn parsed files into ordinary events, through the same commands editors use.

Text imports get stable entry ids (derived from the blog, the entry's time and its place
among entries of that minute; on a re-import, entries of a minute are matched by text
first), so importing a newer copy of a page appends only what changed: new entries are
published, changed ones corrected with the reason "updated in source", and an identical
file adds nothing.

Exports of other systems carry an entry's history: its edits become corrections and its
deletion a retraction, each through the same commands, at its own time and naming its author
in the reason readers see ("edited in WordPress by Ana Petrosyan").
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from liveblog import commands, slugs
from liveblog import events as ev
from liveblog.errors import EntryNotFoundError, InvalidTransitionError, LiveblogError
from liveblog.importers.base import (
    ImportNotice,
    ImportParseError,
    ParsedBlog,
    ParsedEntry,
    SetAsideText,
)
from liveblog.importers.jsonl import ExportedEvent
from liveblog.models import Blog, Entry, Event

UPDATED_IN_SOURCE = "updated in source"
IMPORT_BATCH_SIZE = 2_000
_ENTRY_NAMESPACE = uuid.UUID("5b0f3f7e-3c1e-4c59-9d8e-1f3f0d6b2a10")

Progress = Callable[[int, int], None]


@dataclasses.dataclass
class ImportReport:
    """What one file's import did (or, in a dry run, would do)."""

    source: str
    format: str
    slug: str
    blog_created: bool = False
    published: int = 0
    corrected: int = 0
    unchanged: int = 0
    events_appended: int = 0
    entries_per_day: Counter[date] = dataclasses.field(default_factory=Counter)
    coverage_start: datetime | None = None
    coverage_end: datetime | None = None
    retracted: int = 0
    warnings: list[ImportNotice] = dataclasses.field(default_factory=list)
    set_aside: list[SetAsideText] = dataclasses.field(default_factory=list)
    entries: list[ParsedEntry] = dataclasses.field(default_factory=list)  # what was parsed

    @property
    def changed_nothing(self) -> bool:
        return self.events_appended == 0


class _DryRunRollback(Exception):
    pass


def entry_uuid(slug: str, occurred_at: datetime, ordinal: int) -> uuid.UUID:
    """The id an imported entry gets: the same page imported twice maps to the same ids."""
    return uuid.uuid5(_ENTRY_NAMESPACE, f"{slug}\n{occurred_at.isoformat()}\n{ordinal}")


def _title_from_slug(slug: str) -> str:
    return slug.replace("-", " ").strip().capitalize() or slug


def import_parsed(
    parsed: ParsedBlog,
    *,
    slug: str | None = None,
    title: str | None = None,
    actor: str = "importer",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one parsed text file into its blog, in one transaction."""
    slug = slug or slugify(parsed.title or "")[:100]
    if not slug:
        raise ImportParseError(
            "the page has no title to name the blog by; pass --slug", source=parsed.source
        )
    if not parsed.entries:
        raise ImportParseError("no entries were found", source=parsed.source)
    report = ImportReport(
        source=parsed.source,
        format=parsed.format,
        slug=slug,
        warnings=list(parsed.warnings),
        set_aside=list(parsed.set_aside),
        entries=list(parsed.entries),
    )
    zone = ZoneInfo(parsed.time_zone)
    for item in parsed.entries:
        report.entries_per_day[item.occurred_at.astimezone(zone).date()] += 1
    report.coverage_start = min(item.occurred_at for item in parsed.entries)
    report.coverage_end = max(item.occurred_at for item in parsed.entries)
    try:
        with transaction.atomic():
            _import_parsed(parsed, report, title=title, actor=actor, progress=progress)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _import_parsed(
    parsed: ParsedBlog,
    report: ImportReport,
    *,
    title: str | None,
    actor: str,
    progress: Progress | None,
) -> None:
    blog = Blog.objects.filter(slug=report.slug).first()
    before = blog.last_seq if blog else 0
    if blog is None:
        report.blog_created = True
        blog = commands.blog_create(
            slug=report.slug,
            title=title or parsed.title or _title_from_slug(report.slug),
            description=parsed.introduction[:5_000],
            time_zone=parsed.time_zone,
            actor=actor,
            occurred_at=report.coverage_start,
        )
        blog = commands.blog_open(blog=blog, actor=actor, occurred_at=report.coverage_start)
    elif blog.time_zone != parsed.time_zone:
        report.warnings.append(
            ImportNotice(
                parsed.source,
                1,
                f"blog {report.slug!r} is in {blog.time_zone}; the file was read as "
                f"{parsed.time_zone}, kept the file's times as parsed",
            )
        )

    existing: dict[datetime, list[Entry]] = defaultdict(list)
    if not report.blog_created:
        current_entries = Entry.objects.filter(blog=blog).order_by("published_seq")
        for entry in current_entries.only("id", "body", "headline", "status", "occurred_at"):
            existing[entry.occurred_at].append(entry)
    taken = {entry.id for entries in existing.values() for entry in entries}
    publications: list[commands.Publication] = []
    histories: list[tuple[uuid.UUID, ParsedEntry]] = []
    corrections: list[tuple[uuid.UUID, tuple[str, str]]] = []
    for minute, items in _by_minute(parsed.entries).items():
        # Only entries an import made (their ids derive from the minute) are matched:
        # an editor's own update at the same minute is never "corrected" from a file.
        olds = existing.get(minute, [])
        if olds:
            derived = {entry_uuid(report.slug, minute, k) for k in range(len(olds) + len(items))}
            olds = [old for old in olds if old.id in derived]
        for item, current in _match(items, olds):
            final = _final_text(item)
            if current is None:
                entry_id = _fresh_id(report.slug, minute, taken)
                publications.append(
                    commands.Publication(
                        body=item.body,
                        headline=item.headline,
                        occurred_at=minute,
                        entry_id=entry_id,
                        key_event=item.key_event,
                        pinned=item.pinned,
                        author=item.author,
                    )
                )
                if item.revisions or item.retraction:
                    histories.append((entry_id, item))
            elif (current.body, current.headline) == final:
                report.unchanged += 1
            elif current.is_retracted:
                report.warnings.append(
                    ImportNotice(
                        parsed.source,
                        item.line,
                        f"this entry changed in the source but was retracted here "
                        f"({current.id}); left it retracted",
                    )
                )
            else:
                corrections.append((current.id, final))

    total = len(publications) + len(corrections) + len(histories)
    done = 0
    for start in range(0, len(publications), IMPORT_BATCH_SIZE):
        batch = publications[start : start + IMPORT_BATCH_SIZE]
        commands.entries_publish(blog=blog, publications=batch, actor=actor)
        done += len(batch)
        if progress:
            progress(done, total)
    for entry_id, (body, headline) in corrections:
        commands.entry_correct(
            entry=entry_id,
            body=body,
            headline=headline,
            reason=UPDATED_IN_SOURCE,
            actor=actor,
        )
        done += 1
        if progress and done % 100 == 0:
            progress(done, total)
    last_change = report.coverage_end
    for entry_id, item in histories:
        changed = _replay_history(entry_id, item, parsed, report, actor)
        if changed is not None and last_change is not None and changed > last_change:
            last_change = changed
    report.published = len(publications)
    report.corrected += len(corrections)
    if report.blog_created:
        commands.blog_close(blog=blog, actor=actor, occurred_at=last_change)
    blog.refresh_from_db()
    report.events_appended = blog.last_seq - before


def _final_text(item: ParsedEntry) -> tuple[str, str]:
    """The entry's text after its last edit in the source (what readers of it saw last)."""
    if item.revisions:
        return item.revisions[-1].body, item.revisions[-1].headline
    return item.body, item.headline


def _by(what: str, system: str, author: str) -> str:
    place = f" in {system}" if system else " in the source"
    return f"{what}{place}" + (f" by {author}" if author else "")


def _replay_history(
    entry_id: uuid.UUID,
    item: ParsedEntry,
    parsed: ParsedBlog,
    report: ImportReport,
    actor: str,
) -> datetime | None:
    """Apply an exported entry's edits and deletion as corrections and a retraction."""
    last = None
    for revision in item.revisions:
        try:
            commands.entry_correct(
                entry=entry_id,
                body=revision.body,
                headline=revision.headline,
                reason=_by("edited", parsed.system, revision.author)[:500],
                actor=actor,
                occurred_at=revision.occurred_at,
            )
        except InvalidTransitionError:
            report.warnings.append(
                ImportNotice(
                    parsed.source,
                    item.line,
                    f"an edit at {revision.occurred_at:%d %b %Y %H:%M} left the text as it was; "
                    "nothing to correct",
                    element=item.element,
                )
            )
            continue
        report.corrected += 1
        last = max(last, revision.occurred_at) if last else revision.occurred_at
    if item.retraction is not None:
        commands.entry_retract(
            entry=entry_id,
            reason=_by("deleted", parsed.system, item.retraction.author)[:500],
            actor=actor,
            occurred_at=item.retraction.occurred_at,
        )
        report.retracted += 1
        when = item.retraction.occurred_at
        last = max(last, when) if last else when
    return last


def _by_minute(entries: Sequence[ParsedEntry]) -> dict[datetime, list[ParsedEntry]]:
    groups: dict[datetime, list[ParsedEntry]] = defaultdict(list)
    for item in entries:
        groups[item.occurred_at].append(item)
    return groups


def _match(
    items: Sequence[ParsedEntry], olds: Sequence[Entry]
) -> list[tuple[ParsedEntry, Entry | None]]:
    """Pair a minute's entries in the file with those already imported at that minute.

    Same text first (so an entry added to a minute that had one does not shift the others),
    then the rest in page order (changed text: a correction); what is left is new.
    """
    unmatched = list(olds)
    pairs: list[list] = []
    for item in items:
        same = next(
            (old for old in unmatched if (old.body, old.headline) == (item.body, item.headline)),
            None,
        )
        if same is not None:
            unmatched.remove(same)
        pairs.append([item, same])
    for pair in pairs:
        if pair[1] is None and unmatched:
            pair[1] = unmatched.pop(0)
    return [(item, old) for item, old in pairs]


def _fresh_id(slug: str, minute: datetime, taken: set[uuid.UUID]) -> uuid.UUID:
    ordinal = 0
    while (entry_id := entry_uuid(slug, minute, ordinal)) in taken:
        ordinal += 1
    taken.add(entry_id)
    return entry_id


# --- The project's own export -----------------------------------------------------------


def _same(stored: Event, exported: ExportedEvent) -> bool:
    event = exported.event
    if isinstance(event, ev.BlogCreated):
        # The export may be imported under another slug (--slug).
        event = dataclasses.replace(event, slug=stored.payload.get("slug", event.slug))
    return (
        stored.type == event.TYPE
        and stored.entry_id == exported.entry_id
        and stored.domain_event == event
        and stored.occurred_at == exported.occurred_at
    )


def _replay_one(
    blog: Blog | None, item: ExportedEvent, slug: str, media_files: set[str] | None = None
) -> Blog:
    """Append one exported event to ``blog`` (or create it) through its command."""
    data, when, actor = item.event, item.occurred_at, item.actor
    if isinstance(data, ev.BlogCreated):
        return commands.blog_create(
            slug=slug,
            title=data.title,
            description=data.description,
            time_zone=data.time_zone,
            actor=actor,
            occurred_at=when,
            labels=data.labels,
        )
    assert blog is not None
    if isinstance(data, ev.BlogLabelsChanged):
        return commands.blog_set_labels(
            blog=blog, labels=data.labels, actor=actor, occurred_at=when
        )
    if data.PRIVATE:
        assert item.entry_id is not None  # jsonl.parse: desk events name their update
        commands.desk_record(
            blog=blog, event=data, entry_id=item.entry_id, actor=actor, occurred_at=when
        )
        return blog
    if isinstance(data, ev.BlogDetailsChanged):
        parse = lambda value: datetime.fromisoformat(value) if value else None  # noqa: E731
        return commands.blog_update(
            blog=blog,
            actor=actor,
            title=data.title,
            description=data.description,
            time_zone=data.time_zone,
            coverage_start=parse(data.coverage_start),
            coverage_end=parse(data.coverage_end),
        )
    if isinstance(data, ev.BlogOpened):
        return commands.blog_open(blog=blog, actor=actor, occurred_at=when)
    if isinstance(data, ev.BlogClosed):
        return commands.blog_close(blog=blog, actor=actor, occurred_at=when)
    if isinstance(data, ev.MediaUploaded):
        commands.media_record(
            blog=blog, uploaded=data, actor=actor, occurred_at=when, available=media_files
        )
        return blog
    # Only an entry of this blog; jsonl.parse made sure the file published it.
    entry = Entry.objects.filter(pk=item.entry_id, blog=blog).first() if item.entry_id else None
    if entry is None:
        raise EntryNotFoundError(f"entry {item.entry_id} is not an entry of {slug!r}")
    if isinstance(data, ev.EntryCorrected):
        commands.entry_correct(
            entry=entry,
            body=data.body,
            headline=data.headline,
            reason=data.reason,
            actor=actor,
            occurred_at=when,
            media=data.media,
            embeds=data.embeds,
        )
    elif isinstance(data, ev.EntryRetracted):
        commands.entry_retract(entry=entry, reason=data.reason, actor=actor, occurred_at=when)
    elif isinstance(data, ev.EntryLabelsChanged):
        commands.entry_set_labels(entry=entry, labels=data.labels, actor=actor, occurred_at=when)
    else:
        toggles = {
            ev.EntryPinned: commands.entry_pin,
            ev.EntryUnpinned: commands.entry_unpin,
            ev.EntryMarkedKeyEvent: commands.entry_mark_key_event,
            ev.EntryUnmarkedKeyEvent: commands.entry_unmark_key_event,
        }
        toggles[type(data)](entry=entry, actor=actor, occurred_at=when)
    return blog


def _publication(item: ExportedEvent) -> commands.Publication:
    event = item.event
    assert isinstance(event, ev.EntryPublished)
    return commands.Publication(
        body=event.body,
        headline=event.headline,
        occurred_at=item.occurred_at,
        key_event=event.key_event,
        pinned=event.pinned,
        entry_id=item.entry_id,
        author=event.author,
        author_role=event.author_role,
        author_location=event.author_location,
        labels=event.labels,
        media=event.media,
        embeds=event.embeds,
    )


def _logged_seq(blog: Blog) -> int:
    return Blog.objects.filter(pk=blog.pk).values_list("last_seq", flat=True).get()


def _refuse_entries_of_other_blogs(
    pending: Sequence[ExportedEvent], blog: Blog | None, report: ImportReport
) -> None:
    """Refuse the file if it would publish an entry that exists in another blog."""
    lines = {
        item.entry_id: item.line for item in pending if isinstance(item.event, ev.EntryPublished)
    }
    taken = Entry.objects.filter(pk__in=list(lines)).select_related("blog")
    for entry in taken.order_by("published_seq")[:1]:
        where = "this blog" if blog is not None and entry.blog_id == blog.pk else "another blog"
        raise ImportParseError(
            f"entry {entry.pk} already exists in {where} ({entry.blog.slug!r}): an export "
            "may only bring its own blog's entries",
            source=report.source,
            line=lines[entry.pk],
        )


def import_events(
    exported: Sequence[ExportedEvent],
    *,
    source: str,
    slug: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    media_files: set[str] | None = None,
) -> ImportReport:
    """Replay an export through the commands; what the blog already holds is skipped.

    The file creates or extends only its own blog (``slug``, by default the one it names),
    and only that blog's entries: anything else refuses the whole file, writing nothing.
    Its renames are left out, with a warning: the blog has its slug from its creation.
    ``media_files`` are the files an export archive brought (stored, unless a dry run).
    """
    original = exported[0].blog
    slug = slug or original
    try:
        slugs.check(slug)
    except LiveblogError as exc:
        raise ImportParseError(exc.message, source=source) from None
    renames = [
        (item.line, item.event) for item in exported if isinstance(item.event, ev.BlogRenamed)
    ]
    exported = [item for item in exported if not isinstance(item.event, ev.BlogRenamed)]
    if slug != original:
        # Under another slug the entries get ids of their own, so the same export can be
        # imported twice side by side in one database.
        exported = [
            dataclasses.replace(
                item,
                entry_id=uuid.uuid5(_ENTRY_NAMESPACE, f"{slug}\n{item.entry_id}")
                if item.entry_id
                else None,
                event=_media_ids_for(item.event, slug),
            )
            for item in exported
        ]
    report = ImportReport(source=source, format="jsonl", slug=slug)
    report.warnings.extend(
        ImportNotice(source, line, f"left out the rename to {renamed.slug!r}: imported as {slug!r}")
        for line, renamed in renames
    )
    try:
        with transaction.atomic():
            _import_events(exported, report, progress=progress, media_files=media_files)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _media_ids_for(event: ev.DomainEvent, slug: str) -> ev.DomainEvent:
    """The same media under another slug get ids of their own, as entries do."""

    def new_id(media_id: str) -> str:
        return str(uuid.uuid5(_ENTRY_NAMESPACE, f"{slug}\nmedia\n{media_id}"))

    if isinstance(event, ev.MediaUploaded):
        return dataclasses.replace(event, media_id=new_id(event.media_id))
    if isinstance(event, ev.EntryPublished | ev.EntryCorrected | ev._DeskText) and event.media:
        media = [{**item, "id": new_id(item["id"])} for item in event.media]
        return dataclasses.replace(event, media=media)
    return event


def _import_events(
    exported: Sequence[ExportedEvent],
    report: ImportReport,
    *,
    progress: Progress | None,
    media_files: set[str] | None = None,
) -> None:
    blog = Blog.objects.filter(slug=report.slug).first()
    already = list(Event.objects.filter(blog=blog).order_by("seq")) if blog else []
    for stored, item in zip(already, exported, strict=False):
        if not _same(stored, item):
            raise ImportParseError(
                f"blog {report.slug!r} already has a different event #{stored.seq} "
                f"({stored.type}); import into another slug with --slug",
                source=report.source,
                line=item.line,
            )
    report.blog_created = blog is None
    pending = list(exported[len(already) :])
    _refuse_entries_of_other_blogs(pending, blog, report)
    index = 0
    while index < len(pending):
        item = pending[index]
        if isinstance(item.event, ev.EntryPublished):
            # A run of publications by one actor goes in as one append.
            run = [item]
            while (
                index + len(run) < len(pending)
                and len(run) < IMPORT_BATCH_SIZE
                and isinstance(pending[index + len(run)].event, ev.EntryPublished)
                and pending[index + len(run)].actor == item.actor
            ):
                run.append(pending[index + len(run)])
            assert blog is not None  # jsonl.parse: the file starts with blog.created
            try:
                commands.entries_publish(
                    blog=blog, actor=item.actor, publications=[_publication(r) for r in run]
                )
            except LiveblogError as exc:
                lines = f"lines {item.line}-{run[-1].line}" if len(run) > 1 else "this line"
                raise ImportParseError(
                    f"{exc.message.rstrip('.')} (publishing {lines})",
                    source=report.source,
                    line=item.line,
                ) from None
            report.published += len(run)
            index += len(run)
        else:
            try:
                blog = _replay_one(blog, item, report.slug, media_files)
            except LiveblogError as exc:
                raise ImportParseError(exc.message, source=report.source, line=item.line) from None
            if _logged_seq(blog) != len(already) + index + 1:
                # The log must gain this very event, or the blog would differ from the file.
                raise ImportParseError(
                    f"this {item.event.TYPE} changes nothing in {report.slug!r}",
                    source=report.source,
                    line=item.line,
                )
            if isinstance(item.event, ev.EntryCorrected):
                report.corrected += 1
            index += 1
        if progress:
            progress(index, len(pending))
    report.unchanged = len(already)
    if blog is not None:
        blog.refresh_from_db()
        # What the log gained, counted there, not what the file held.
        report.events_appended = blog.last_seq - len(already)
        times = Entry.objects.filter(blog=blog).values_list("occurred_at", flat=True)
        for value in times:
            report.entries_per_day[timezone.localtime(value, blog.zone).date()] += 1
        report.coverage_start, report.coverage_end = blog.coverage_start, blog.coverage_end
