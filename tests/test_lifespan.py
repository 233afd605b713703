"""A server's start-up and shutdown steps (config.lifespan), and the ones config.asgi runs."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

from asgiref.testing import ApplicationCommunicator

from config import gc_tuning
from config.lifespan import ServerLifespan


def _step(name: str, journal: list[str], *, fail: bool = False) -> Any:
    @contextlib.asynccontextmanager
    async def step() -> AsyncIterator[None]:
        journal.append(f"start {name}")
        if fail:
            raise RuntimeError(f"{name} could not start")
        try:
            yield
        finally:
            journal.append(f"stop {name}")

    return step


async def _unused_app(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the lifespan scope reached the application")


async def test_steps_start_in_order_before_serving_and_stop_in_reverse_after() -> None:
    journal: list[str] = []
    app = ServerLifespan(_unused_app, steps=[_step("first", journal), _step("second", journal)])
    communicator = ApplicationCommunicator(app, {"type": "lifespan"})

    await communicator.send_input({"type": "lifespan.startup"})
    assert await communicator.receive_output(timeout=5) == {"type": "lifespan.startup.complete"}
    assert journal == ["start first", "start second"]
    await communicator.send_input({"type": "lifespan.shutdown"})
    assert await communicator.receive_output(timeout=5) == {"type": "lifespan.shutdown.complete"}
    assert journal == ["start first", "start second", "stop second", "stop first"]


async def test_a_step_that_fails_stops_start_up_and_the_steps_already_started() -> None:
    journal: list[str] = []
    steps = [_step("first", journal), _step("second", journal, fail=True), _step("third", journal)]

    communicator = ApplicationCommunicator(
        ServerLifespan(_unused_app, steps=steps), {"type": "lifespan"}
    )

    await communicator.send_input({"type": "lifespan.startup"})
    answer = await communicator.receive_output(timeout=5)
    assert answer["type"] == "lifespan.startup.failed"
    assert "second could not start" in answer["message"]
    await communicator.wait(timeout=5)
    assert journal == ["start first", "start second", "stop first"]


async def test_other_scopes_go_to_the_application() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    # No receive or send: a request that is not the lifespan must not touch them.
    await ServerLifespan(app, steps=[])({"type": "http"}, None, None)  # type: ignore[arg-type]
    assert seen == ["http"]


async def test_the_server_tunes_the_collector_between_start_up_and_shutdown() -> None:
    from config.asgi import application

    before = gc.get_threshold()
    communicator = ApplicationCommunicator(application, {"type": "lifespan"})
    await communicator.send_input({"type": "lifespan.startup"})
    assert (await communicator.receive_output(timeout=5))["type"] == "lifespan.startup.complete"
    assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD
    await communicator.send_input({"type": "lifespan.shutdown"})
    assert (await communicator.receive_output(timeout=5))["type"] == "lifespan.shutdown.complete"
    assert gc.get_threshold() == before
