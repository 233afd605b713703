"""Run callables at the same moment from threads, as server workers would, and collect results.

Each thread has its own database connection, closed when it ends. Tests that use this need
``pytest.mark.django_db(transaction=True)``: the threads see only what was committed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
from django.db import connections

from liveblog import projections

T = TypeVar("T")


def run_together(work: Sequence[Callable[[], T]], *, timeout: float = 60) -> list[T]:
    """Start every callable at once (a barrier releases them); their results, in order.

    An exception in a thread is raised here, after all of them have finished.
    """
    barrier = threading.Barrier(len(work))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as error:  # raised by the test below, not lost in a thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    if errors:
        raise errors[0]
    return [results[index] for index in range(len(work))]


def hold_each_append(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.2) -> None:
    """Keep every append's transaction open a while longer, holding its stream lock.

    A racing request then meets the first one's uncommitted write, whatever the scheduler
    does: anything it checks before taking the lock sees the entry missing.
    """
    apply = projections.apply

    def slow_apply(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return apply(*args, **kwargs)

    monkeypatch.setattr(projections, "apply", slow_apply)
