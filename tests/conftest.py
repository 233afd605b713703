"""Shared fixtures: editors, blogs, and a flush that works with the append-only triggers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.db.backends.sqlite3.base import DatabaseOperations

from liveblog import commands
from liveblog.models import Blog

_guards = importlib.import_module("liveblog.migrations.0002_event_log_append_only")
_original_sqlite_flush = DatabaseOperations.sql_flush


def _sqlite_flush_around_triggers(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
    # Transactional tests empty every table with DELETE between tests; on SQLite that is
    # exactly what the append-only triggers forbid, so the reset lifts them for its own
    # statements and puts them back. (PostgreSQL resets with TRUNCATE, which they allow.)
    statements = _original_sqlite_flush(self, style, tables, **kwargs)
    if "liveblog_event" not in tables or not statements:
        return statements
    return [*_guards.SQLITE_REMOVE, *statements, *_guards.SQLITE_INSTALL]


DatabaseOperations.sql_flush = _sqlite_flush_around_triggers


@pytest.fixture
def editor(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username="editor", password="correct horse battery", is_staff=True
    )


@pytest.fixture
def blog(editor) -> Iterator[Blog]:  # type: ignore[no-untyped-def]
    created = commands.blog_create(
        slug="election-night", title="Election night", actor="editor", time_zone="Europe/London"
    )
    created.members.add(editor)
    yield commands.blog_open(blog=created, actor="editor")
