from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liveblog import rebuild
from liveblog.models import Blog


class Command(BaseCommand):
    help = "Throw away the projections (entries, revisions, blog state) and replay the event log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="Only this blog (default: every blog).")

    def handle(self, *args: object, slug: str | None = None, **options: object) -> None:
        blog = None
        if slug:
            blog = Blog.objects.filter(slug=slug).first()
            if blog is None:
                raise CommandError(f"There is no blog called {slug!r}.")
        started = time.perf_counter()
        count = rebuild.rebuild(blog)
        elapsed = time.perf_counter() - started
        rate = count / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Replayed {count:,} events for {'blog ' + repr(slug) if slug else 'all blogs'} "
                f"in {elapsed:.2f} s ({rate:,.0f} events/s)."
            )
        )
