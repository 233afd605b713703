"""export_liveblog -o FILE.zip / import_liveblog FILE.zip: the log and its media files."""

from __future__ import annotations

import zipfile
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction

from liveblog import commands
from liveblog.media import file_url
from liveblog.models import Blog, Entry, Event, Media
from tests import samples
from tests.stories import uploaded_photo

pytestmark = pytest.mark.django_db(transaction=True)


class _Rollback(Exception):
    pass


def _blog_with_an_image() -> tuple[list, list, list[str]]:
    blog = commands.blog_create(slug="storm", title="Storm", actor="alice")
    blog = commands.blog_open(blog=blog, actor="alice")

    def upload(width: int, height: int, filename: str, alt: str, **fields: str) -> Media:
        data = samples.photo(width, height, orientation=1)
        return uploaded_photo(blog, data=data, filename=filename, alt=alt, actor="alice", **fields)

    first = upload(1000, 700, "wall.jpg", "Harbour wall", credit="Jo")
    second = upload(500, 300, "boat.jpg", "Boat")
    entry = commands.entry_publish(blog=blog, body=f"![Wall]({file_url(first.name)})", actor="bob")
    commands.entry_correct(
        entry=entry, body=f"![Boat]({file_url(second.name)})", reason="Other photo", actor="bob"
    )
    log = list(Event.objects.order_by("seq").values_list("seq", "type", "entry_id", "payload"))
    entries = list(Entry.objects.values_list("id", "body_html", "media"))
    names = [name for media in Media.objects.all() for name in (f["name"] for f in media.files)]
    return log, entries, names


def test_an_archive_round_trips_the_log_and_the_files(tmp_path) -> None:
    archive = tmp_path / "storm.zip"
    try:
        with transaction.atomic():
            log, entries, names = _blog_with_an_image()
            call_command("export_liveblog", "storm", "-o", str(archive), stderr=StringIO())
            raise _Rollback
    except _Rollback:
        pass
    for name in names:
        default_storage.delete(name)
    assert not Blog.objects.exists()
    with zipfile.ZipFile(archive) as handle:
        assert sorted(handle.namelist()) == sorted(["events.jsonl", *(f"media/{n}" for n in names)])

    out = StringIO()
    call_command("import_liveblog", str(archive), stdout=out, stderr=out)

    assert "export archive with 5 media files" in out.getvalue()
    assert all(default_storage.exists(name) for name in names)
    assert (
        list(Event.objects.order_by("seq").values_list("seq", "type", "entry_id", "payload")) == log
    )
    assert list(Entry.objects.values_list("id", "body_html", "media")) == entries
    again = StringIO()
    call_command("import_liveblog", str(archive), stdout=again, stderr=again)
    assert "nothing new" in again.getvalue()
    call_command("import_liveblog", str(archive), "--slug", "storm-copy", stdout=StringIO())
    assert Media.objects.filter(blog__slug="storm-copy").count() == 2


def test_an_altered_file_in_an_archive_is_refused(tmp_path) -> None:
    archive = tmp_path / "storm.zip"
    try:
        with transaction.atomic():
            _blog_with_an_image()
            call_command("export_liveblog", "storm", "-o", str(archive), stderr=StringIO())
            raise _Rollback
    except _Rollback:
        pass
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, data + b"x" if info.filename.endswith(".jpg") else data)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_liveblog", str(altered), stdout=StringIO(), stderr=err)
    assert "does not match its name" in err.getvalue()
    assert not Blog.objects.exists()


def test_a_text_export_of_a_blog_with_media_says_the_files_are_not_in_it(tmp_path) -> None:
    try:
        with transaction.atomic():
            _blog_with_an_image()
            err = StringIO()
            call_command("export_liveblog", "storm", "-o", str(tmp_path / "x.jsonl"), stderr=err)
            raise _Rollback
    except _Rollback:
        pass
    assert "5 media files" in err.getvalue() and "-o FILE.zip" in err.getvalue()
