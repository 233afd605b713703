"""Fixtures for the reliability suite: an API token, clean throttles, a folder for server logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from liveblog.api import tokens
from tests.reliability.support import ON_POSTGRES, ON_REDIS


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip ``postgres`` and ``redis`` tests only when that service is not configured."""
    if item.get_closest_marker("postgres") and not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not ON_REDIS:
        pytest.skip("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> Iterator[None]:
    # Throttles count in the default cache of this process; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_key(editor) -> str:  # type: ignore[no-untyped-def]
    """An API key of the ``editor`` fixture, a member of the ``blog`` fixture."""
    _, key = tokens.token_create(user=editor, name="reliability bot")
    return key


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """Where server processes write their output, to read when a test fails."""
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder
