from __future__ import annotations

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from liveblog import background, schedule


class Command(BaseCommand):
    help = (
        "Publish scheduled updates as they fall due, until stopped (Ctrl-C or SIGTERM). Server "
        "processes do this too unless LIVEBLOG_SCHEDULER=off; any number may run side by side."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Publish what is due now, then exit."
        )

    def handle(self, *args: object, once: bool = False, **options: object) -> None:
        if once:
            count = schedule.publish_due()
            self.stdout.write(f"Published {count} scheduled updates.")
            return
        self.stdout.write(
            f"Publishing scheduled updates (looking every "
            f"{settings.LIVEBLOG_SCHEDULE_POLL_SECONDS:g} s); Ctrl-C stops."
        )
        self.stdout.flush()
        asyncio.run(background.until_signalled(lambda stop: schedule.run(stop=stop)))
        self.stdout.write("Stopped.")
