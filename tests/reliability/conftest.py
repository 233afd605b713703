"""Fixtures for the reliability suite: an API token, clean throttles, a folder for server logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.support import ON_POSTGRES, ON_REDIS


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip ``postgres`` and ``redis`` tests only when that service is not configured."""
    if item.get_closest_marker("postgres") and not ON_POSTGRES:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not ON_REDIS:
        pytest.skip("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """Where server processes write their output, to read when a test fails."""
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder
