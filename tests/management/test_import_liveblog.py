"""The import and export commands as an archivist uses them."""

from __future__ import annotations

import contextlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from liveblog import commands
from liveblog import events as ev
from liveblog.importers.loader import UPDATED_IN_SOURCE
from liveblog.models import Blog, Entry, EntryRevision, Event

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EVN = FIXTURES / "evn-report-artsakh-september-2023.txt"
OC_MEDIA = FIXTURES / "oc-media-stepanakert-2023-09-20.txt"


def _import(*args: str) -> str:
    out = StringIO()
    call_command("import_liveblog", *args, stdout=out, stderr=out)
    return out.getvalue()


def _entry_state(slug: str) -> list[tuple]:
    return list(
        Entry.objects.filter(blog__slug=slug)
        .order_by("-occurred_at", "-published_seq")
        .values_list(
            "id",
            "headline",
            "body",
            "occurred_at",
            "status",
            "pinned",
            "key_event",
            "revision",
            "correction_reason",
            "last_corrected_at",
            "retraction_reason",
        )
    )


def test_the_seed_blogs_import_with_their_slugs_and_time_zones() -> None:
    _import(str(EVN), "--slug", "artsakh-september-2023", "--timezone", "Asia/Yerevan")
    output = _import(
        str(OC_MEDIA), "--slug", "stepanakert-2023-09-20", "--timezone", "Asia/Tbilisi"
    )
    assert "detected format dated_blocks" in output and "entries per day:" in output
    evn = Blog.objects.get(slug="artsakh-september-2023")
    oc = Blog.objects.get(slug="stepanakert-2023-09-20")
    assert (evn.time_zone, oc.time_zone) == ("Asia/Yerevan", "Asia/Tbilisi")
    assert oc.title.startswith("Live updates | Stepanakert surrenders")
    assert evn.status == oc.status == Blog.Status.CLOSED
    # The blog's coverage is the span of its entries, in newsroom time.
    first = Entry.objects.filter(blog=evn).order_by("occurred_at").first()
    assert first is not None
    assert evn.coverage_start == first.occurred_at
    assert set(Entry.objects.values_list("author", flat=True)) == {
        f"import:{EVN.name}",
        f"import:{OC_MEDIA.name}",
    }
    types = list(Event.objects.filter(blog=oc).values_list("type", flat=True))
    assert types[:2] == ["blog.created", "blog.opened"] and types[-1] == "blog.closed"
    assert set(types[2:-1]) == {"entry.published"}


def test_importing_the_same_file_twice_adds_nothing_and_says_so() -> None:
    _import(str(OC_MEDIA), "--slug", "oc", "--timezone", "Asia/Tbilisi")
    before = Event.objects.count()
    output = _import(str(OC_MEDIA), "--slug", "oc", "--timezone", "Asia/Tbilisi")
    assert "nothing new" in output
    assert Event.objects.count() == before


def test_a_newer_copy_of_a_page_appends_only_the_differences(tmp_path) -> None:
    original = OC_MEDIA.read_text(encoding="utf-8")
    _import(str(OC_MEDIA), "--slug", "oc", "--timezone", "Asia/Tbilisi")
    blog = Blog.objects.get(slug="oc")
    before = blog.last_seq
    newer = original.replace(
        "We are closing our live updates for today.",
        "We are closing our live updates for today. Thank you for following.",
    ).replace(
        "20 Sep 2023, 22:58",
        "20 Sep 2023, 23:40\n\nA late addition to the page.\n\n20 Sep 2023, 22:58",
        1,
    )
    page = tmp_path / "oc-newer.txt"
    page.write_text(newer, encoding="utf-8")
    output = _import(str(page), "--slug", "oc", "--timezone", "Asia/Tbilisi")
    assert "1 published, 1 corrected" in output
    added = list(Event.objects.filter(blog=blog, seq__gt=before).values_list("type", "payload"))
    assert [kind for kind, _ in added] == ["entry.published", "entry.corrected"]
    assert added[1][1]["reason"] == UPDATED_IN_SOURCE
    corrected = Entry.objects.get(body__startswith="We are closing")
    assert corrected.revision == 2 and "Thank you for following." in corrected.body


def test_a_dry_run_reports_and_writes_nothing() -> None:
    output = _import(str(EVN), "--slug", "evn", "--timezone", "Asia/Yerevan", "--dry-run")
    assert "[dry run] would import" in output and "set aside:" in output
    assert not Blog.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe" * 200, "binary"),
        (b"Just a paragraph of prose.\nAnd another, with no time stamps at all.\n", "format"),
        ("September 30\n10:41 p.m.: One.\n".encode("utf-16-le"), ""),
    ],
)
def test_a_file_that_cannot_be_parsed_imports_nothing_and_says_where(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 file"):
        call_command(
            "import_liveblog",
            str(bad),
            "--slug",
            "bad",
            "--year",
            "2023",
            stdout=StringIO(),
            stderr=err,
        )
    message = err.getvalue()
    assert str(bad) in message and "Nothing was imported" in message
    assert reason.lower() in message.lower()
    assert not Event.objects.exists()


def test_impossible_times_are_refused_with_the_line(tmp_path) -> None:
    page = tmp_path / "impossible.txt"
    page.write_text("20 Sep 2023, 22:58\n\nFine.\n\n31 Sep 2023, 25:61\n\nNot a time.\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_liveblog",
            str(page),
            "--slug",
            "x",
            "--timezone",
            "UTC",
            stdout=StringIO(),
            stderr=err,
        )
    assert f"{page}:5" in err.getvalue()
    assert not Event.objects.exists()


def test_a_missing_file_fails_but_the_others_still_import(tmp_path) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command(
            "import_liveblog",
            str(tmp_path / "nope.txt"),
            str(OC_MEDIA),
            "--slug",
            "oc",
            "--timezone",
            "Asia/Tbilisi",
            stdout=StringIO(),
            stderr=err,
        )
    assert "nope.txt: no such file" in err.getvalue()
    assert Blog.objects.filter(slug="oc").exists()


def test_a_bom_is_ignored(tmp_path) -> None:
    page = tmp_path / "bom.txt"
    page.write_bytes(b"\xef\xbb\xbf" + OC_MEDIA.read_bytes())
    _import(str(page), "--slug", "oc", "--timezone", "Asia/Tbilisi")
    assert Entry.objects.filter(blog__slug="oc").count() > 10


class _Rollback(Exception):
    pass


def test_export_then_import_into_an_empty_database_gives_an_identical_blog(tmp_path, editor):
    export = tmp_path / "blog.jsonl"
    try:
        with transaction.atomic():
            blog = commands.blog_create(
                slug="quake", title="Quake", actor="alice", time_zone="Asia/Tokyo"
            )
            blog = commands.blog_open(blog=blog, actor="alice")
            first = commands.entry_publish(
                blog=blog, body="M6.1 quake", headline="Quake", actor="alice"
            )
            commands.entry_publish(blog=blog, body="Tsunami warning", actor="bob", key_event=True)
            commands.entry_correct(
                entry=first, body="M6.4 quake", reason="USGS revised", actor="bob"
            )
            commands.entry_pin(entry=first, actor="alice")
            rumour = commands.entry_publish(blog=blog, body="Rumour", actor="carol")
            commands.entry_retract(entry=rumour, reason="Unverified", actor="alice")
            commands.blog_close(blog=blog, actor="alice")
            call_command("export_liveblog", "quake", "-o", str(export), stderr=StringIO())
            entries = _entry_state("quake")
            revisions = list(
                EntryRevision.objects.order_by("entry_id", "number").values_list(
                    "entry_id", "number", "body", "reason", "actor"
                )
            )
            log = list(
                Event.objects.order_by("seq").values_list(
                    "seq", "type", "entry_id", "payload", "occurred_at", "actor"
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    assert not Blog.objects.exists()
    output = _import(str(export))
    assert "detected format jsonl" in output
    assert _entry_state("quake") == entries
    assert (
        list(
            EntryRevision.objects.order_by("entry_id", "number").values_list(
                "entry_id", "number", "body", "reason", "actor"
            )
        )
        == revisions
    )
    assert (
        list(
            Event.objects.order_by("seq").values_list(
                "seq", "type", "entry_id", "payload", "occurred_at", "actor"
            )
        )
        == log
    )
    assert "nothing new" in _import(str(export))
    _import(str(export), "--slug", "quake-copy")
    assert Entry.objects.filter(blog__slug="quake-copy").count() == len(entries)


def test_a_damaged_export_is_refused_with_its_line(tmp_path) -> None:
    export = tmp_path / "bad.jsonl"
    export.write_text(
        '{"blog":"b","seq":1,"type":"blog.created","entry_id":null,"payload":{"slug":"b",'
        '"title":"B","description":"","time_zone":"UTC"},"schema_version":1,'
        '"occurred_at":"2023-09-20T10:00:00+00:00","recorded_at":"2023-09-20T10:00:00+00:00",'
        '"actor":"a"}\n{"blog":"b","seq":3}\n'
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_liveblog", str(export), stdout=StringIO(), stderr=err)
    assert f"{export}:2" in err.getvalue()


def test_json_nested_too_deeply_is_refused_with_its_line(tmp_path) -> None:
    # Python's json raised a RecursionError: a traceback instead of a refusal.
    deep = '{"type": ' + "[" * 5000 + "]" * 5000 + "}\n"
    created = (
        '{"blog":"b","seq":1,"type":"blog.created","entry_id":null,"payload":{"slug":"b",'
        '"title":"B","description":"","time_zone":"UTC"},"schema_version":1,'
        '"occurred_at":"2023-09-20T10:00:00+00:00","recorded_at":"2023-09-20T10:00:00+00:00",'
        '"actor":"a"}\n'
    )
    export = tmp_path / "deep.jsonl"
    export.write_text(created + deep)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_liveblog", str(export), stdout=StringIO(), stderr=err)
    assert f"{export}:2" in err.getvalue() and "nested too deeply" in err.getvalue()
    # As the first line, it does not even look like an export: no format fits.
    export.write_text(deep)
    with pytest.raises(CommandError):
        call_command("import_liveblog", str(export), stdout=StringIO(), stderr=StringIO())
    assert not Blog.objects.exists()


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("auto", DEEP),
        ("table", DEEP),
        ("auto", '{"groups": ' + DEEP + "}"),
        ("sourcefabric", '{"_items": ' + DEEP + "}"),
        ("auto", '<html><script type="application/ld+json">' + DEEP + "</script></html>"),
        ("html", '<html><script type="application/ld+json">' + DEEP + "</script></html>"),
    ],
)
def test_json_nested_too_deeply_never_ends_in_a_traceback(tmp_path, fmt: str, text: str) -> None:
    # Every importer that reads JSON met a RecursionError where it expected a ValueError.
    page = tmp_path / "deep.txt"
    page.write_text(text)
    with contextlib.suppress(CommandError):  # refused with a message, or imported
        call_command(
            "import_liveblog", str(page), "--format", fmt, stdout=StringIO(), stderr=StringIO()
        )


def test_export_names_an_unknown_blog() -> None:
    with pytest.raises(CommandError, match="no blog called 'nope'"):
        call_command("export_liveblog", "nope")


def test_an_entry_added_to_a_minute_that_had_one_does_not_shift_the_other(tmp_path) -> None:
    page = tmp_path / "page.txt"
    newest = "20 Sep 2023, 10:00\n\nThe original update.\n\n"
    rest = "20 Sep 2023, 09:00\n\nEarlier.\n"
    page.write_text(newest + rest)
    _import(str(page), "--slug", "p", "--timezone", "UTC")
    original = Entry.objects.get(body="The original update.")
    # The page gains an update stamped with the same minute, below the original.
    page.write_text(newest + "20 Sep 2023, 10:00\n\nA new update in the same minute.\n\n" + rest)
    output = _import(str(page), "--slug", "p", "--timezone", "UTC")
    assert "1 published, 0 corrected, 2 unchanged" in output
    assert Entry.objects.get(pk=original.pk).revision == 1
    assert Entry.objects.filter(blog__slug="p").count() == 3


# --- pages and exports from elsewhere --------------------------------------------------------

SAMPLES = FIXTURES / "samples"


@pytest.mark.parametrize(
    ("name", "entries", "how"),
    [("jsonld-page.html", 3, "html"), ("time-elements-page.html", 3, "html")],
)
def test_html_pages_import_with_and_without_json_ld(name: str, entries: int, how: str) -> None:
    output = _import(str(SAMPLES / name), "--slug", "page", "--timezone", "UTC")
    assert f"detected format {how}" in output
    assert f"{entries} published" in output
    assert Entry.objects.filter(blog__slug="page").count() == entries
    published = Event.objects.filter(blog__slug="page", type="entry.published")
    assert all(event.actor == f"import:{name}" for event in published)


def test_bylines_are_kept_in_the_log_as_the_entrys_author() -> None:
    _import(str(SAMPLES / "jsonld-page.html"), "--slug", "page", "--timezone", "UTC")
    published = [
        event.domain_event
        for event in Event.objects.filter(blog__slug="page", type="entry.published")
    ]
    authors = {e.headline: e.author for e in published if isinstance(e, ev.EntryPublished)}
    assert authors["Wind expected to turn by noon"] == "Pere Soler"
    version = ev.EntryPublished.VERSION
    assert all(
        event.schema_version == version for event in Event.objects.filter(type="entry.published")
    )


def test_dry_run_lists_the_entries_and_what_was_set_aside_and_writes_nothing() -> None:
    output = _import(
        str(SAMPLES / "us-network-style.txt"), "--slug", "storm", "--timezone", "UTC", "--dry-run"
    )
    assert "[dry run] would import into 'storm'" in output
    assert "3 entries in the file:" in output
    assert (
        "Ferries resume after the overnight closure (by Lena Ortiz (Harbor News), in Port Ellis)"
        in output
    )
    assert "set aside: " in output and "'Link Copied!'" in output
    assert not Blog.objects.filter(slug="storm").exists()


def test_wordpress_history_goes_through_the_commands_with_its_own_times() -> None:
    output = _import(str(SAMPLES / "wordpress-liveblog.xml"), "--timezone", "Europe/Stockholm")
    assert "3 published, 1 corrected, 1 retracted" in output
    blog = Blog.objects.get(slug="town-council-budget-night-live")
    corrected = Event.objects.get(blog=blog, type="entry.corrected")
    assert corrected.occurred_at.isoformat() == "2023-03-07T17:41:00+00:00"
    assert corrected.payload["reason"] == "edited in WordPress by Oskar Berg"
    retracted = Event.objects.get(blog=blog, type="entry.retracted")
    assert retracted.occurred_at.isoformat() == "2023-03-07T17:52:00+00:00"
    assert retracted.payload["reason"] == "deleted in WordPress by Oskar Berg"
    vote = Entry.objects.get(blog=blog, body__startswith="The budget passes by 23")
    assert vote.key_event and vote.revision == 2
    assert Entry.objects.get(blog=blog, status="retracted").body.startswith("Rumour")
    again = _import(str(SAMPLES / "wordpress-liveblog.xml"), "--timezone", "Europe/Stockholm")
    assert "nothing new" in again


def test_sourcefabric_flags_become_pinned_and_key_events() -> None:
    _import(str(SAMPLES / "sourcefabric-posts.json"), "--slug", "race", "--timezone", "UTC")
    entries = {e.body[:19]: e for e in Entry.objects.filter(blog__slug="race")}
    assert entries["Welcome to our cove"].pinned
    assert entries["The leaders reach t"].key_event
    assert entries["Unconfirmed: the ra"].status == "retracted"


def test_a_refusal_names_the_file_the_line_and_the_option_to_pass(tmp_path) -> None:
    page = tmp_path / "night.txt"
    page.write_text("Harbour fire\n\n22:55 Fire breaks out\nResidents told to stay in.\n")
    with pytest.raises(CommandError):
        out = StringIO()
        call_command("import_liveblog", str(page), "--timezone", "UTC", stdout=out, stderr=out)
    message = out.getvalue()
    assert f"{page}:3: " in message and "--date" in message
    assert "<input>" not in message and ".." not in message
    _import(str(page), "--timezone", "UTC", "--date", "2022-11-19", "--slug", "fire")
    assert (
        Entry.objects.get(blog__slug="fire").occurred_at.isoformat() == "2022-11-19T22:55:00+00:00"
    )
