from __future__ import annotations

import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from liveblog.webhooks import worker


class Command(BaseCommand):
    help = (
        "Deliver webhooks until stopped (Ctrl-C or SIGTERM). Server processes deliver them "
        "too unless LIVEBLOG_WEBHOOK_WORKER=off; run this to deliver from a process of its own."
    )

    def handle(self, *args: object, **options: object) -> None:
        asyncio.run(self._deliver())

    async def _deliver(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        self.stdout.write(
            f"Delivering webhooks, {settings.LIVEBLOG_WEBHOOK_CONCURRENCY} at a time; "
            "Ctrl-C stops after the deliveries in flight.",
        )
        self.stdout.flush()
        await worker.run(stop=stop)
        self.stdout.write("Stopped.")
