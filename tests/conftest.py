"""Shared fixtures: editors, blogs, and a flush that works with the append-only triggers."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connections
from django.db.backends.sqlite3 import base as _sqlite_base  # noqa: F401 (before operations)
from django.db.backends.sqlite3.operations import DatabaseOperations

from liveblog import commands, consumers, fanout
from liveblog.models import Blog

_schema = importlib.import_module("liveblog.migrations.0001_squashed_0009_media_use")
_original_sqlite_flush = DatabaseOperations.sql_flush


def _sqlite_flush_around_triggers(self, style, tables, **kwargs):
    # Transactional tests empty every table with DELETE between tests; on SQLite that is
    # exactly what the append-only triggers forbid, so the reset lifts them for its own
    # statements and puts them back. (PostgreSQL resets with TRUNCATE, which they allow.)
    statements = _original_sqlite_flush(self, style, tables, **kwargs)
    if "liveblog_event" not in tables or not statements:
        return statements
    return [*_schema.SQLITE_REMOVE, *statements, *_schema.SQLITE_INSTALL]


# Patched on purpose for the whole test run (see above); mypy refuses assigning to methods.
DatabaseOperations.sql_flush = _sqlite_flush_around_triggers  # type: ignore[method-assign]


def editors_group() -> Group:
    """The Editors group as the first migration creates it (transactional tests flush it away)."""
    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="liveblog", codename__in=_schema.EDITOR_PERMISSIONS
            )
        )
    return group


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        username="editor", password="correct horse battery", is_staff=True
    )
    user.groups.add(editors_group())
    return user


@pytest.fixture
def blog(editor) -> Iterator[Blog]:
    created = commands.blog_create(
        slug="election-night", title="Election night", actor="editor", time_zone="Europe/London"
    )
    created.members.add(editor)
    yield commands.blog_open(blog=created, actor="editor")


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    # API throttles count in this process's default cache, and the push channel remembers
    # blogs and hubs per process; each test starts from nothing, as a new process would.
    cache.clear()
    consumers.forget_known_blogs()
    fanout.forget_hubs()
    yield
    cache.clear()
    consumers.forget_known_blogs()
    fanout.forget_hubs()


@pytest.fixture(scope="session", autouse=True)
def _no_webhook_lock_file_left() -> Iterator[None]:
    # Server processes on the SQLite test database run the webhook worker, whose lock file
    # outlives the database Django removes.
    yield
    from django.conf import settings

    from liveblog.webhooks.worker import sqlite_lock_file

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if name:
        Path(sqlite_lock_file(name)).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _database_thread_released(request: pytest.FixtureRequest) -> None:
    # Only async tests can drive Channels' test communicator (see the fixture below).
    if inspect.iscoroutinefunction(request.function):
        request.getfixturevalue("database_thread_released")


@pytest.fixture
async def database_thread_released() -> AsyncIterator[None]:
    """After the test, close the connection of the thread that runs database_sync_to_async.

    That thread outlives the test. database_sync_to_async closes its connection after each
    call, except while Channels' test communicator waits for the application: it turns the
    closing off (for Django's TestCase transactions). A query made then, by a handshake or a
    catch-up, leaves the connection open, and at the end of a PostgreSQL run the test
    database cannot be dropped ("is being accessed by other users").
    """
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def token_key(editor) -> str:
    """An API key of the ``editor`` fixture, a member of the ``blog`` fixture."""
    from liveblog.api import tokens

    _, key = tokens.token_create(user=editor, name="test tool")
    return key


@pytest.fixture
def oembed(monkeypatch, settings):
    """A stub oEmbed provider on 127.0.0.1 answering for YouTube URLs (liveblog.embeds)."""
    from micawber.providers import Provider as OEmbedEndpoint
    from micawber.providers import ProviderRegistry

    from liveblog import embeds
    from tests import stub_oembed

    settings.LIVEBLOG_EMBED_PRIVATE_HOSTS = True
    settings.LIVEBLOG_EMBED_TIMEOUT = 1.0
    with stub_oembed.running() as stub:
        registry = ProviderRegistry()
        endpoint = f"{stub.base}/oembed"
        registry.register(r"https://www\.youtube\.com/watch\S+", OEmbedEndpoint(endpoint))
        monkeypatch.setattr(embeds, "REGISTRY", registry)
        monkeypatch.setitem(embeds._PROVIDER_NAMES, endpoint, "YouTube")
        yield stub
