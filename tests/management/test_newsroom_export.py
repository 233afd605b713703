"""An export carries the newsroom's work: the desk's events, bylines and labels round-trip."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from liveblog import commands
from liveblog.bylines import Byline
from liveblog.models import Blog, DeskEntry, Entry, EntryLabel, Event

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


class _Rollback(Exception):
    pass


def _import(*args: str) -> str:
    out = StringIO()
    call_command("import_liveblog", *args, stdout=out, stderr=out)
    return out.getvalue()


def _state(slug: str) -> tuple[list, list, list, list]:
    log = list(
        Event.objects.filter(blog__slug=slug)
        .order_by("seq")
        .values_list("seq", "type", "entry_id", "payload", "occurred_at", "actor")
    )
    entries = list(
        Entry.objects.filter(blog__slug=slug)
        .order_by("published_seq")
        .values_list(
            "id", "body", "author", "author_name", "author_role", "author_location", "labels"
        )
    )
    desk = list(
        DeskEntry.objects.filter(blog__slug=slug)
        .order_by("created_at")
        .values_list(
            "id", "status", "body", "note", "written_by", "decided_by", "publish_at", "labels"
        )
    )
    labels = sorted(EntryLabel.objects.filter(blog__slug=slug).values_list("entry_id", "name"))
    return log, entries, desk, labels


def test_the_desk_bylines_and_labels_survive_an_export_and_import(tmp_path: Path) -> None:
    export = tmp_path / "blog.jsonl"
    ana = Byline("Ana Petrosyan", "Correspondent", "Yerevan")
    try:
        with transaction.atomic():
            blog = commands.blog_create(slug="vote", title="Vote", actor="alice")
            blog = commands.blog_open(blog=blog, actor="alice")
            commands.blog_set_labels(blog=blog, labels=["Breaking", "Official"], actor="alice")
            entry = commands.entry_publish(
                blog=blog, body="Polls open", actor="alice", byline=ana, labels=["Official"]
            )
            commands.entry_set_labels(entry=entry, labels=["Breaking"], actor="alice")

            def write(body: str, status: str, actor: str = "alice", **kwargs: Any) -> DeskEntry:
                writing = commands.Writing(body=body, byline=ana, labels=["Breaking"])
                return commands.desk_write(
                    blog=blog,
                    actor=actor,
                    writing=writing,
                    status=status,
                    **kwargs,
                ).entry

            write("Draft", "draft")
            write("Later", "scheduled", publish_at=timezone.now() + timedelta(days=1))
            submitted = write("From the field", "submitted", "ana")
            commands.desk_return(entry=submitted, actor="alice", note="Source?")
            approved = write("Approved", "submitted", "ana")
            commands.desk_publish(entry=approved, actor="alice")
            dropped = write("Dropped", "draft")
            commands.desk_cancel(entry=dropped, actor="alice")
            call_command("export_liveblog", "vote", "-o", str(export), stderr=StringIO())
            before = _state("vote")
            raise _Rollback
    except _Rollback:
        pass
    assert not Blog.objects.exists()
    assert "detected format jsonl" in _import(str(export))
    assert _state("vote") == before
    assert "nothing new" in _import(str(export))
    _import(str(export), "--slug", "vote-copy")
    copy = _state("vote-copy")
    assert [row[1:] for row in copy[1]] == [row[1:] for row in before[1]]
    assert [row[1:] for row in copy[2]] == [row[1:] for row in before[2]]


def test_an_imported_byline_is_the_entry_s_byline() -> None:
    _import(str(SAMPLES / "jsonld-page.html"), "--slug", "page", "--timezone", "UTC")
    entry = Entry.objects.get(blog__slug="page", headline="Wind expected to turn by noon")
    assert entry.author_name == "Pere Soler"
    assert entry.author.startswith("import:")  # who imported it; never shown to readers
