"""Work a server process runs beside its requests, in a thread of its own.

Scheduled publishing (``schedule``) and webhook delivery (``webhooks.worker``) pass over the
database again and again; a pass that fails must not end the loop, only be said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, close_old_connections

T = TypeVar("T")


def with_database(work: Callable[[], T], fallback: T, *, doing: str, logger: logging.Logger) -> T:
    """Run ``work`` in this thread with a usable connection; errors are logged, not raised.

    ``fallback`` is the answer when it failed; ``doing`` names the work in the log.
    """
    close_old_connections()
    try:
        return work()
    except DatabaseError as exc:
        # The database is away (restart, failover): nothing moved; the next pass retries.
        logger.warning("%s paused by a database error: %s", doing, exc)
        return fallback
    except Exception:
        logger.exception("%s failed", doing)
        return fallback
    finally:
        close_old_connections()
