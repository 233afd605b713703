"""import_liveblog: import live blogs from saved pages, copied text or other systems' exports."""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from liveblog import archive, slugs
from liveblog.errors import LiveblogError
from liveblog.importers import jsonl, registry
from liveblog.importers.base import ImportNotice, ImportParseError
from liveblog.importers.decoding import decode_source
from liveblog.importers.loader import ImportReport, import_events, import_parsed

FORMATS = ["auto", *registry.FORMATS]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date such as 2022-11-19") from None


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a time with its offset such as 2023-09-26T09:30+01:00"
        )
    return moment


def _abbreviation(value: str) -> tuple[str, str]:
    name, sep, zone = value.partition("=")
    if not sep or not name.strip() or not zone.strip():
        raise argparse.ArgumentTypeError(
            f"{value!r} is not ABBREVIATION=ZONE, e.g. IST=Asia/Kolkata"
        )
    return name.strip().upper(), zone.strip()


class Command(BaseCommand):
    help = (
        "Import live blogs from the text of their published pages (or from an export). "
        "Each file is imported in one transaction: a file that fails imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--format", choices=FORMATS, default="auto")
        parser.add_argument("--slug", help="Blog to import into (default: from the page title).")
        parser.add_argument("--title", help="Title for a new blog (default: from the page).")
        parser.add_argument(
            "--timezone",
            help="The newsroom's IANA time zone, e.g. Asia/Yerevan "
            "(default: the blog's, else the TIME_ZONE setting).",
        )
        parser.add_argument("--year", type=int, help="Year of pages that print no year.")
        parser.add_argument(
            "--date", type=_day, help="Day of pages whose stamps have no date, e.g. 2022-11-19."
        )
        parser.add_argument(
            "--now",
            type=_moment,
            help="When the page was saved, for relative stamps ('2 hours ago') on a page with "
            "no 'Updated' stamp, e.g. 2023-09-26T09:30+01:00.",
        )
        parser.add_argument(
            "--zone-abbreviation",
            type=_abbreviation,
            action="append",
            default=[],
            metavar="ABBR=ZONE",
            help="What a zone abbreviation on the page means, e.g. IST=Asia/Jerusalem "
            "(repeatable; overrides the built-in table).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report; write nothing."
        )
        parser.add_argument("--actor", help="Actor recorded on the events (default: import:FILE).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["slug"] is not None:
            try:
                slugs.check(options["slug"])
            except LiveblogError as exc:
                raise CommandError(f"--slug: {exc.message} Nothing was imported.") from None
        failures = 0
        for path in options["paths"]:
            try:
                report = self._import(Path(path), options)
            except ImportParseError as exc:
                failures += 1
                self.stderr.write(
                    self.style.ERROR(f"{str(exc).rstrip('.')}. Nothing was imported from {path}.")
                )
                continue
            except LiveblogError as exc:
                failures += 1
                self.stderr.write(
                    self.style.ERROR(
                        f"{path}: {exc.message.rstrip('.')}. Nothing was imported from it."
                    )
                )
                continue
            self._summarise(report, dry_run=options["dry_run"], detail=options["verbosity"] >= 1)
        if failures:
            raise CommandError(f"{failures} of {len(options['paths'])} file(s) failed to import.")

    def _import(self, path: Path, options: dict[str, Any]) -> ImportReport:
        source = str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ImportParseError("no such file", source=source) from None
        except IsADirectoryError:
            raise ImportParseError("is a directory, not a file", source=source) from None
        except OSError as exc:
            raise ImportParseError(f"cannot be read ({exc.strerror})", source=source) from None
        if zipfile.is_zipfile(path):
            return self._import_archive(data, source=source, options=options)
        decoded = decode_source(data, source=source)
        fmt = options["format"]
        if fmt == "auto":
            fmt = registry.detect_format(decoded.text, source=source)
            chosen = f"detected format {fmt} ({decoded.encoding})"
        else:
            chosen = f"format {fmt} (chosen with --format)"
        if options["verbosity"] >= 1:
            self.stdout.write(f"{source}: {chosen}")
        actor = options["actor"] or f"import:{path.name}"[:150]
        progress = self._progress_bar(source)
        if fmt == jsonl.FORMAT_NAME:
            exported = jsonl.parse(decoded.text, source=source)
            return import_events(
                exported,
                source=source,
                slug=options["slug"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        parsed = registry.parse(
            fmt,
            decoded.text,
            registry.ParseOptions(
                source=source,
                time_zone=self._time_zone(options),
                year=options["year"],
                date=options["date"],
                now=options["now"],
                zone_names=dict(options["zone_abbreviation"]),
            ),
        )
        if decoded.guessed:
            parsed.warnings.insert(
                0,
                ImportNotice(
                    source,
                    1,
                    f"the file is not UTF-8; read it as {decoded.encoding}, the encoding its "
                    "bytes fit best (check the text, or re-save the file as UTF-8)",
                ),
            )
        slug = options["slug"]
        if not slug and not parsed.title:
            slug = slugify(path.stem)[:100]
            parsed.warnings.append(
                ImportNotice(
                    source,
                    1,
                    f"the page has no title; named the blog {slug!r} after the "
                    "file (pass --slug to choose)",
                )
            )
        return import_parsed(
            parsed,
            slug=slug,
            title=options["title"],
            actor=actor,
            dry_run=options["dry_run"],
            progress=progress,
        )

    def _import_archive(self, data: bytes, *, source: str, options: dict[str, Any]) -> ImportReport:
        """An export with its media (export_liveblog -o FILE.zip): files first, then events."""
        text, files = archive.read(data, source=source)
        exported = jsonl.parse(text, source=source)
        if options["verbosity"] >= 1:
            self.stdout.write(f"{source}: export archive with {len(files)} media files")
        if not options["dry_run"]:
            archive.store(files, source=source)
        return import_events(
            exported,
            source=source,
            slug=options["slug"],
            dry_run=options["dry_run"],
            progress=self._progress_bar(source),
            media_files=set(files),
        )

    def _time_zone(self, options: dict[str, Any]) -> str:
        if options["timezone"]:
            return options["timezone"]
        from liveblog.models import Blog

        existing = Blog.objects.filter(slug=options["slug"]).first() if options["slug"] else None
        if existing:
            return existing.time_zone
        self.stdout.write(
            self.style.WARNING(
                f"No --timezone given: reading times as {settings.TIME_ZONE}. Pass the "
                "newsroom's zone (e.g. --timezone Asia/Yerevan) if that is wrong."
            )
        )
        return settings.TIME_ZONE

    def _progress_bar(self, source: str) -> Callable[[int, int], None] | None:
        stream = getattr(self.stderr, "_out", sys.stderr)
        if not stream.isatty():
            return None

        def show(done: int, total: int) -> None:
            width = 30
            filled = width * done // max(total, 1)
            stream.write(f"\r{source}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done >= total:
                stream.write("\n")
            stream.flush()

        return show

    def _summarise(self, report: ImportReport, *, dry_run: bool, detail: bool) -> None:
        """Report what happened; at verbosity 0 only the one-line result."""
        write = self.stdout.write
        if detail:
            for warning in report.warnings:
                write(self.style.WARNING(f"warning: {warning}"))
            for text in report.set_aside:
                write(f"set aside: {text}")
        if dry_run and detail and report.entries:
            write(f"{len(report.entries)} entries in the file:")
            for entry in report.entries:
                write("  " + _entry_line(entry))
        prefix = "[dry run] would import" if dry_run else "imported"
        if report.changed_nothing:
            write(
                self.style.SUCCESS(
                    f"{report.source}: nothing new; blog {report.slug!r} already holds all "
                    f"{report.unchanged} entries of this file."
                    if report.format != jsonl.FORMAT_NAME
                    else f"{report.source}: nothing new; blog {report.slug!r} already holds all "
                    f"{report.unchanged} events of this export."
                )
            )
        else:
            created = " (new blog)" if report.blog_created else ""
            write(
                self.style.SUCCESS(
                    f"{report.source}: {prefix} into {report.slug!r}{created}: "
                    f"{report.published} published, {report.corrected} corrected, "
                    + (f"{report.retracted} retracted, " if report.retracted else "")
                    + f"{report.unchanged} unchanged; {report.events_appended} events."
                )
            )
        if not detail:
            return
        write("entries per day:")
        for day, count in sorted(report.entries_per_day.items()):
            write(f"  {day.isoformat()}  {count}")
        start = report.coverage_start.isoformat() if report.coverage_start else "-"
        end = report.coverage_end.isoformat() if report.coverage_end else "-"
        write(f"coverage: {start} to {end}")
        write(f"warnings: {len(report.warnings)}; text set aside: {len(report.set_aside)}")


def _entry_line(entry: Any) -> str:
    """One line per entry for --dry-run: when, headline or first words, author, history."""
    words = (entry.headline or entry.body).replace("\n", " ")
    words = words if len(words) <= 70 else words[:67] + "..."
    extras = []
    if entry.author:
        extras.append(f"by {entry.author}")
    if entry.key_event:
        extras.append("key event")
    if entry.pinned:
        extras.append("pinned")
    if entry.revisions:
        extras.append(f"{len(entry.revisions)} edit(s)")
    if entry.retraction is not None:
        extras.append("deleted")
    tail = f" ({'; '.join(extras)})" if extras else ""
    return f"{entry.occurred_at.isoformat()}  {words}{tail}"
