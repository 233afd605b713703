"""Publish benchmark updates through ``liveblog.commands``, at a steady rate.

Used both inside a server process (``bench.asgi_with_publisher``) and by the separate
publisher process (``bench.publisher``). Each update's headline carries the wall-clock time
taken just before ``entry_publish`` is called; readers subtract it from their receive time.
"""

from __future__ import annotations

import dataclasses
import time

from bench import payload

ACTOR = "bench"


@dataclasses.dataclass
class Run:
    """What one publishing run did; serialised to JSON for the orchestrator."""

    count: int
    rate: float
    published: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    errors: list[str] = dataclasses.field(default_factory=list)
    call_seconds: list[float] = dataclasses.field(default_factory=list)
    started: float | None = None
    finished: float | None = None
    done: bool = False

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    def record(self, seq: int, seconds: float) -> None:
        self.published += 1
        self.first_seq = seq if self.first_seq is None else self.first_seq
        self.last_seq = seq
        self.call_seconds.append(seconds)


def find_blog(slug: str):  # -> liveblog.models.Blog (imported late: needs django.setup())
    from liveblog.models import Blog

    return Blog.objects.get(slug=slug)


class _RolledBack(Exception):
    pass


def warm_up(blog) -> None:
    """Open what a long-running editor's process has open before the first timed update.

    A fresh publisher process otherwise spends its first update connecting to the database
    and the channel layer and loading code, and that one update decided a run's p99. The
    publish is rolled back (nothing is appended or broadcast); the layer is reached with a
    message to a group no reader is in.
    """
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.db import transaction

    from liveblog import commands

    try:
        with transaction.atomic():
            commands.entry_publish(blog=blog, body="warm-up", actor=ACTOR)
            raise _RolledBack
    except _RolledBack:
        pass
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)("liveblog.bench.warm-up", {"type": "bench.warm_up"})


def publish_one(blog, index: int, size: int) -> tuple[int, float]:
    """Publish update ``index``; return its seq and how long the command took."""
    from liveblog import commands

    started = time.time()
    entry = commands.entry_publish(
        blog=blog,
        body=payload.body(index, size),
        headline=payload.stamp_headline(started),
        actor=ACTOR,
    )
    return entry.published_seq, time.time() - started


def due(start: float, index: int, rate: float) -> float:
    """When update ``index`` is due: on a fixed schedule, so a slow publish does not drift."""
    return start + index / rate
