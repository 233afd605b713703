"""The JSON Lines export read back: one blog, its own entries, and its renames left out."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from liveblog import commands, slugs
from liveblog import events as ev
from liveblog.importers import jsonl
from liveblog.importers.base import ImportParseError
from liveblog.importers.loader import import_events
from liveblog.models import Blog, Event
from tests.exports import export_line

CREATED = {"slug": "quake", "title": "Quake", "description": "", "time_zone": "UTC"}


def _line(
    seq: int, type_: str, payload: dict[str, Any], entry_id: Any = None, **fields: Any
) -> str:
    return export_line("quake", seq, type_, payload, entry_id, actor="alice", **fields)


def _parse(*lines: str) -> list[jsonl.ExportedEvent]:
    return jsonl.parse("\n".join(lines), source="export.jsonl")


def test_the_blog_a_file_names_must_be_a_valid_slug() -> None:
    with pytest.raises(ImportParseError) as caught:
        _parse(_line(1, "blog.created", CREATED, blog="Stepanakert 20/9"))
    assert caught.value.line == 1 and "cannot be part of a web address" in caught.value.reason


def test_blog_created_creates_the_blog_the_file_names_whatever_it_was_first_called() -> None:
    (created,) = _parse(_line(1, "blog.created", {**CREATED, "slug": "Old name 20/9"}))
    assert isinstance(created.event, ev.BlogCreated)
    assert created.event.slug == "quake"


def test_an_event_about_an_entry_the_file_does_not_publish_is_refused() -> None:
    own, foreign = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(ImportParseError) as caught:
        _parse(
            _line(1, "blog.created", CREATED),
            _line(2, "entry.published", {"body": "Ours."}, own),
            _line(3, "entry.retracted", {"reason": "x"}, foreign),
        )
    assert caught.value.line == 3
    assert f"entry.retracted for entry {foreign}, which this file does not publish" in str(
        caught.value
    )


def test_an_entry_published_twice_is_refused() -> None:
    own = uuid.uuid4()
    with pytest.raises(ImportParseError, match="published twice \\(first at line 2\\)"):
        _parse(
            _line(1, "blog.created", CREATED),
            _line(2, "entry.published", {"body": "Ours."}, own),
            _line(3, "entry.published", {"body": "Again."}, own),
        )


@pytest.mark.django_db
def test_a_renamed_blog_exports_and_imports_under_its_new_slug_and_says_so(tmp_path) -> None:
    draft = commands.blog_create(slug="quake-draft", title="Quake", actor="alice")
    draft = commands.blog_rename(blog=draft, slug="quake", actor="alice")
    blog = commands.blog_open(blog=draft, actor="alice")
    commands.entry_publish(blog=blog, body="M6.1", actor="alice")
    export = tmp_path / "quake.jsonl"
    call_command("export_liveblog", "quake", "-o", str(export), stderr=StringIO())
    lines = export.read_text().splitlines()
    assert [json.loads(line)["type"] for line in lines][:2] == ["blog.created", "blog.renamed"]

    exported = jsonl.parse(export.read_text(), source=str(export))
    report = import_events(exported, source=str(export), slug="quake-copy")
    copy = Blog.objects.get(slug="quake-copy")
    assert [str(warning) for warning in report.warnings] == [
        f"{export}:2: left out the rename to 'quake': imported as 'quake-copy'"
    ]
    types = list(Event.objects.filter(blog=copy).order_by("seq").values_list("type", flat=True))
    assert types == ["blog.created", "blog.opened", "entry.published"]
    assert report.events_appended == 3
    again = import_events(exported, source=str(export), slug="quake-copy")
    assert again.changed_nothing and again.unchanged == 3


@pytest.mark.django_db
def test_an_import_under_a_bad_slug_is_refused() -> None:
    exported = _parse(_line(1, "blog.created", CREATED))
    with pytest.raises(ImportParseError, match="cannot be part of a web address"):
        import_events(exported, source="export.jsonl", slug="Stepanakert 20/9")
    assert not Blog.objects.exists() and slugs.is_valid("quake")
