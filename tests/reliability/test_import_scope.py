"""An import touches only its own blog.

A JSON Lines export describes one blog: it may create that blog or extend it, and touch only
that blog's entries. A file with anything else (an event for another blog's entry, a draft's
included, an entry id another blog holds, a second blog) is refused whole, with its file,
line and reason, and writes nothing; what an accepted file reports is what it did.
"""

from __future__ import annotations

import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from liveblog import commands
from liveblog.models import Blog, Entry, EntryRevision, Event
from tests.exports import WHEN, export_line

pytestmark = pytest.mark.django_db


def _line(seq: int, type_: str, payload: dict[str, Any], entry_id: Any = None) -> str:
    return export_line("new-blog", seq, type_, payload, entry_id, actor="someone")


def _new_blog(*more: tuple[str, dict[str, Any], Any]) -> str:
    """An export of a new blog, then the events ``more`` (type, payload, entry id)."""
    lines = [
        _line(1, "blog.created", {"slug": "new-blog", "title": "New", "description": "",
                                  "time_zone": "UTC"}),
        _line(2, "blog.opened", {}),
        *(_line(seq, *event) for seq, event in enumerate(more, start=3)),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


@pytest.fixture
def other_blogs(blog: Blog) -> dict[str, Entry]:
    """A live blog and a draft, each with an entry the file must not touch."""
    draft = commands.blog_create(slug="budget-draft", title="Budget (draft)", actor="editor")
    return {
        "live": commands.entry_publish(blog=blog, body="Turnout is 60%.", actor="editor"),
        "draft": commands.entry_publish(blog=draft, body="Embargoed figures.", actor="editor"),
    }


def _state() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    return (
        list(Blog.objects.order_by("pk").values_list("slug", "status", "last_seq")),
        list(Event.objects.order_by("pk").values_list("pk")),
        list(Entry.objects.order_by("pk").values_list("pk", "body", "status", "pinned")),
        list(EntryRevision.objects.order_by("pk").values_list("pk")),
    )


def _refused(tmp_path: Path, text: str) -> tuple[str, Path]:
    path = tmp_path / "export.jsonl"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command("import_liveblog", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue(), path


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (
            ("entry.corrected", {"body": "Turnout is 6%.", "headline": "", "reason": "x"}, "live"),
            "which this file does not publish",
        ),
        (("entry.retracted", {"reason": "gone"}, "draft"), "which this file does not publish"),
        (("entry.pinned", {}, "draft"), "which this file does not publish"),
        (("entry.published", {"body": "Mine now."}, "live"), "already exists in another blog"),
        (
            ("blog.created", {"slug": "new-blog", "title": "Again", "time_zone": "UTC"}, None),
            "a second blog.created",
        ),
    ],
)
def test_a_file_that_reaches_beyond_its_blog_is_refused_whole_with_its_line(
    tmp_path: Path, other_blogs: dict[str, Entry], event: tuple, reason: str
) -> None:
    type_, payload, target = event
    entry_id = other_blogs[target].pk if target else None
    own = uuid.uuid4()
    before = _state()
    text = _new_blog(
        ("entry.published", {"body": "Our own update."}, own),
        ("entry.corrected", {"body": "Our own, corrected.", "headline": "", "reason": "typo"}, own),
        (type_, payload, entry_id),
    )
    err, path = _refused(tmp_path, text)
    assert f"{path}:5: " in err and reason in err, err  # the file's fifth line
    assert "Nothing was imported" in err
    assert _state() == before


def test_a_file_extending_its_blog_may_not_touch_another_blog_either(
    tmp_path: Path, other_blogs: dict[str, Entry]
) -> None:
    own = uuid.uuid4()
    first = _new_blog(("entry.published", {"body": "Our own update."}, own))
    path = tmp_path / "first.jsonl"
    path.write_text(first)
    call_command("import_liveblog", str(path), stdout=StringIO())
    before = _state()
    err, _ = _refused(
        tmp_path, first + _line(4, "entry.retracted", {"reason": "x"}, other_blogs["live"].pk)
    )
    assert ":4: entry.retracted for entry" in err
    assert _state() == before


def test_what_an_accepted_file_reports_is_what_it_did(
    tmp_path: Path, other_blogs: dict[str, Entry]
) -> None:
    own, other = uuid.uuid4(), uuid.uuid4()
    path = tmp_path / "export.jsonl"
    path.write_text(
        _new_blog(
            ("entry.published", {"body": "One."}, own),
            ("entry.published", {"body": "Two."}, other),
            ("entry.corrected", {"body": "One!", "headline": "", "reason": "typo"}, own),
            ("entry.retracted", {"reason": "wrong"}, other),
            ("blog.closed", {}, None),
        )
    )
    before = _state()
    out = StringIO()
    call_command("import_liveblog", str(path), stdout=out)
    blog = Blog.objects.get(slug="new-blog")
    assert blog.last_seq == 7 and Event.objects.filter(blog=blog).count() == 7
    assert "imported into 'new-blog' (new blog): 2 published, 1 corrected, 0 unchanged; 7 " in (
        out.getvalue()
    )
    # Nothing of any other blog changed.
    assert _state()[0][:2] == before[0]
    for entry in other_blogs.values():
        fresh = Entry.objects.get(pk=entry.pk)
        assert (fresh.body, fresh.status, fresh.last_seq) == (
            entry.body,
            "published",
            entry.last_seq,
        )


def test_a_line_that_would_change_nothing_is_refused_so_the_blog_matches_its_file(
    tmp_path: Path,
) -> None:
    same = {"title": "New", "description": "", "time_zone": "UTC", "coverage_start": WHEN}
    err, path = _refused(tmp_path, _new_blog(("blog.details_changed", same, None)))
    assert f"{path}:3: this blog.details_changed changes nothing in 'new-blog'" in err
    assert not Blog.objects.exists()
