"""The collector is tuned for fan-out once a server starts, and only then (config.gc_tuning)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref

from config import gc_tuning
from tests.servers import PROJECT


class _Thing:
    """Something the collector tracks and a weak reference can follow."""

    other: _Thing | None = None


def _tracked(thing: object) -> bool:
    """Whether later collections will examine ``thing`` (frozen objects are left out)."""
    return any(candidate is thing for candidate in gc.get_objects())


async def test_what_start_up_loaded_is_frozen_and_young_collections_are_rare() -> None:
    before = gc.get_threshold()
    loaded = _Thing()
    async with gc_tuning.tuned_for_fan_out():
        assert gc.get_threshold() == (gc_tuning.YOUNG_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
        assert not _tracked(loaded)
        assert _tracked(_Thing())  # what a server allocates later is collected as usual
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert _tracked(loaded)


async def test_garbage_left_from_start_up_is_freed_not_frozen_for_good() -> None:
    # A cycle that only the collector frees: frozen, it (and a socket or a database
    # connection it held) would stay for the life of the process.
    gc.disable()
    try:
        garbage = _Thing()
        garbage.other = _Thing()
        garbage.other.other = garbage
        alive = weakref.ref(garbage)
        del garbage
        async with gc_tuning.tuned_for_fan_out():
            assert alive() is None
    finally:
        gc.enable()


def test_importing_the_asgi_app_leaves_the_collector_alone() -> None:
    probe = (
        "import gc, json; before = gc.get_threshold(); import config.asgi; "
        "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    before, after, frozen = json.loads(done.stdout)
    assert after == before
    assert frozen == 0
