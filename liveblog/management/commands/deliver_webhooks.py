from __future__ import annotations

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand

from liveblog import background
from liveblog.webhooks import worker


class Command(BaseCommand):
    help = (
        "Deliver webhooks until stopped (Ctrl-C or SIGTERM). Server processes deliver them "
        "too unless LIVEBLOG_WEBHOOK_WORKER=off; run this to deliver from a process of its own."
    )

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(
            f"Delivering webhooks, {settings.LIVEBLOG_WEBHOOK_CONCURRENCY} at a time; "
            "Ctrl-C stops after the deliveries in flight.",
        )
        self.stdout.flush()
        asyncio.run(background.until_signalled(lambda stop: worker.run(stop=stop)))
        self.stdout.write("Stopped.")
