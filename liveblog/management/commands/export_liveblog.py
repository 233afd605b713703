from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liveblog import archive
from liveblog.importers.jsonl import iter_export
from liveblog.models import Blog, Event


class Command(BaseCommand):
    help = (
        "Write a blog's whole event log as JSON Lines (import it with import_liveblog); "
        "with -o FILE.zip, a ZIP archive holding the log and its media files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "-o",
            "--output",
            help="File to write (default: standard output). A name ending in .zip writes the "
            "archive with the media.",
        )

    def handle(self, *args: Any, slug: str, output: str | None, **options: Any) -> None:
        blog = Blog.objects.filter(slug=slug).first()
        if blog is None:
            raise CommandError(f"There is no blog called {slug!r}.")
        log = Event.objects.filter(blog=blog).order_by("seq").iterator(chunk_size=2_000)
        if output and output.lower().endswith(".zip"):
            count = archive.write(output, list(log), slug=slug)
            self.stderr.write(
                f"Wrote {blog.last_seq} events of {slug!r} and {count} media files to {output}."
            )
            return
        media = archive.referenced_names(Event.objects.filter(blog=blog).only("payload"))
        if media:
            # Nothing lost silently: the text export cannot hold the files.
            self.stderr.write(
                self.style.WARNING(
                    f"{slug!r} has {len(media)} media files, which a JSON Lines export does "
                    "not hold; write an archive with -o FILE.zip to keep them."
                )
            )
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.writelines(iter_export(log, slug=slug))
            self.stderr.write(f"Wrote {blog.last_seq} events of {slug!r} to {output}.")
        else:
            sys.stdout.writelines(iter_export(log, slug=slug))
