"""Garbage-collector settings for a process that pushes each update to thousands of readers.

With Python's defaults, full collections held up pushes by 50-100 ms (BENCHMARKS.md, "Garbage
collection pauses were the fan-out p99"). A server applies this once at start-up
(``config.lifespan``), never at import, so importing the app leaves the process as it was.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

#: Allocations between young collections (Python's default is 700): a push allocates a few
#: per reader, and collecting within one promoted what was in flight.
YOUNG_THRESHOLD = 50_000


@contextlib.asynccontextmanager
async def tuned_for_fan_out() -> AsyncIterator[None]:
    """Freeze what start-up loaded and collect the young generation rarely; undo it on exit."""
    previous = gc.get_threshold()
    # Garbage frozen now would never be freed, whatever it holds (a socket, a database
    # connection): collect it first, so only what is alive stays out of later collections.
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
