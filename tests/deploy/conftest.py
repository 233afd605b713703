"""The deploy tests skip ``postgres`` and ``redis`` tests as the reliability suite does."""

from __future__ import annotations

from tests.reliability.conftest import logs, pytest_runtest_setup

__all__ = ["logs", "pytest_runtest_setup"]
