"""Random importer input (hypothesis) never causes a traceback: import or a clear refusal.

``tests/importers/test_fuzz.py`` checks the parsers alone. Here whole files go through
``manage.py import_liveblog`` into the database, where a value the parser let through can still
break a command or a column: the command must import the file or fail with ``CommandError``
(which ``manage.py`` prints as one line, without a traceback), and leave nothing half-imported.
"""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveblog import events as ev
from liveblog.models import Blog, Event
from tests.damage import damaged_window

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class _Rollback(Exception):
    pass


def _counts() -> tuple[int, int]:
    return Blog.objects.count(), Event.objects.count()


def import_and_check(folder: Path, data: bytes, *args: str, expect_refusal: bool = False) -> None:
    """Import one file: it imports, or it is refused with a message and writes nothing.

    Whatever it wrote is rolled back afterwards, so examples do not pile up.
    """
    path = folder / f"{uuid.uuid4().hex}.txt"
    path.write_bytes(data)
    out = StringIO()
    try:
        with transaction.atomic():
            before = _counts()
            try:
                call_command("import_liveblog", str(path), *args, stdout=out, stderr=out)
                assert not expect_refusal, out.getvalue()
            except CommandError as refused:
                assert str(refused), "a refusal without a message"
                assert _counts() == before, "a refused file left part of itself behind"
            raise _Rollback
    except _Rollback:
        pass
    finally:
        path.unlink()
    assert "Traceback" not in out.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


# --- The project's own JSON Lines export -------------------------------------------------

ODD_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "x" * 151, "y" * 50_001, "\x00", "Mars/Base", "not-a-uuid"]),
    st.sampled_from(["2024-05-01T21:30:00", "9999-12-31T23:59:59-14:00", "yesterday"]),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "2999-01-01T00:00:00+00:00"]),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _valid_export(entries: int) -> list[dict[str, Any]]:
    """A well-formed export of one blog: created, opened, then entries and their changes."""
    ids = [str(uuid.uuid4()) for _ in range(entries)]
    created = {"slug": "fuzz", "title": "Fuzz", "description": "", "time_zone": "Europe/London"}
    events: list[tuple[str, str | None, dict[str, Any]]] = [
        ("blog.created", None, created),
        ("blog.opened", None, {}),
    ]
    for n, entry_id in enumerate(ids):
        published = {"body": f"Update {n}", "headline": "", "key_event": False, "pinned": False}
        events.append(("entry.published", entry_id, published))
    if ids:
        corrected = {"body": "Update 0, corrected", "headline": "", "reason": "typo"}
        events += [
            ("entry.corrected", ids[0], corrected),
            ("entry.pinned", ids[0], {}),
            ("entry.marked_key_event", ids[-1], {}),
            ("entry.retracted", ids[-1], {"reason": "wrong"}),
        ]
    return [
        {
            "blog": "fuzz",
            "seq": seq,
            "type": kind,
            "entry_id": entry_id,
            "payload": payload,
            "schema_version": 1,
            "occurred_at": f"2024-05-01T20:{seq:02d}:00+01:00",
            "recorded_at": f"2024-05-01T20:{seq:02d}:30+01:00",
            "actor": "editor",
        }
        for seq, (kind, entry_id, payload) in enumerate(events, start=1)
    ]


@st.composite
def export_file(draw: st.DrawFn) -> bytes:
    """A valid export damaged in up to four places, as a hand-edited or cut-off file is."""
    records = _valid_export(draw(st.integers(0, 5)))
    for _ in range(draw(st.integers(0, 4))):
        record = draw(st.sampled_from(records)) if records else {}
        damage = draw(st.sampled_from(["field", "payload", "drop", "type", "order", "copy"]))
        if damage == "field" and record:
            record[draw(st.sampled_from(sorted(record)))] = draw(ODD_VALUES)
        elif damage == "payload" and isinstance(record.get("payload"), dict):
            names = [*record["payload"], "extra"]
            record["payload"][draw(st.sampled_from(names))] = draw(ODD_VALUES)
        elif damage == "drop" and record:
            del record[draw(st.sampled_from(sorted(record)))]
        elif damage == "type" and record:
            record["type"] = draw(st.sampled_from([*ev.EVENT_TYPES, "entry.exploded"]))
        elif damage == "order" and len(records) > 1:
            i, j = draw(st.integers(0, len(records) - 1)), draw(st.integers(0, len(records) - 1))
            records[i], records[j] = records[j], records[i]
        elif damage == "copy" and records:
            records.insert(draw(st.integers(0, len(records))), dict(record))
    text = "\n".join(json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records)
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut off mid-line
    return text.encode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # Longer than the column: PostgreSQL refuses it (SQLite would keep it).
        ("actor", "a" * 151),
        # Valid ISO 8601 with no UTC equivalent, and a moment no zone west of UTC can show.
        ("occurred_at", "0001-01-01T00:00:00+14:00"),
        ("occurred_at", "0001-01-01T00:00:00+00:00"),
    ],
)
@pytest.mark.parametrize("line", [0, 2], ids=["blog.created", "entry.published"])
def test_values_the_database_or_the_pages_cannot_hold_are_refused(
    folder: Path, field: str, value: str, line: int
) -> None:
    records = _valid_export(2)
    records[line][field] = value
    data = "\n".join(json.dumps(record) for record in records).encode()
    import_and_check(folder, data, "--format", "jsonl", expect_refusal=True)


@SETTINGS
@given(data=export_file(), fmt=st.sampled_from(["jsonl", "auto"]))
def test_random_exports_import_or_are_refused_clearly(folder: Path, data: bytes, fmt: str) -> None:
    import_and_check(folder, data, "--format", fmt)


# --- Text pages -----------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAGES = [
    (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    for name in ("evn-report-artsakh-september-2023.txt", "oc-media-stepanakert-2023-09-20.txt")
]
# What real pages are made of (dates, clock times, furniture), and hostile pieces.
FRAGMENTS = [
    *["Live: the count", "September 30", "February 30", "20 Sep 2023, 22:58"],
    *["31 Feb 2023, 10:00", "10:41 p.m.: ", "3:27: ", "25:99 p.m.: ", "Breaking: ", "Read more"],
    *["<script>alert(1)</script>", "[x](javascript:alert(1))", "<iframe src=//evil>"],
    *["\r", "\u2028", "\x00", "\x1b", "\ufeff", "a" * 400, "word " * 12_000, "\u202e"],
]
OPTIONS = [
    *[("--timezone", "Asia/Yerevan"), ("--timezone", "Not/AZone"), ("--year", "2023")],
    *[("--year", "0"), ("--year", "99999"), ("--slug", "fuzz"), ("--slug", "-")],
    *[("--title", "x" * 201), ("--format", "day_headings"), ("--format", "dated_blocks")],
]


# A window of a real page, with lines lost, repeated, swapped or spliced with junk.
page = damaged_window(
    PAGES,
    longest=80,
    most_damages=6,
    pieces=st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)),
    damages=["drop", "repeat", "swap", "splice"],
)


@SETTINGS
@given(
    text=page,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    options=st.lists(st.sampled_from(OPTIONS), max_size=3, unique_by=lambda option: option[0]),
)
def test_random_pages_import_or_are_refused_clearly(
    folder: Path, text: str, encoding: str, options: list[tuple[str, str]]
) -> None:
    data = text.encode(encoding, "replace")
    arguments = [part for option in options for part in option]
    if "--timezone" not in arguments:
        arguments += ["--timezone", "Asia/Yerevan"]
    import_and_check(folder, data, *arguments)


# --- Saved HTML pages, copied pages of other layouts, other systems' exports ------------------

SAMPLES = sorted((FIXTURES / "samples").iterdir())
SAMPLE_LINES = [path.read_text(encoding="utf-8").split("\n") for path in SAMPLES]
MARKUP = [
    *['<time datetime="2023-09-20T10:00:00+02:00">', '<time datetime="yesterday">', "</article>"],
    *['{"@type": "LiveBlogPosting", "liveBlogUpdate": [', '"datePublished": "2023-02-30T10:00"'],
    *[
        "<wp:comment_type>liveblog</wp:comment_type>",
        "<wp:meta_key>liveblog_replaces</wp:meta_key>",
    ],
    *['"_items": [', '"groups": null', "]]>", "&x;", "<!DOCTYPE x [<!ENTITY x 'y'>]>", "</html>"],
    *["09:22 GMT", "3.27pm BST", "4 min ago", "Updated 12:03 a.m. ET, September 26, 2023", "IST"],
    *["<img src=x onerror=alert(1)>", "\ue80d", "Share", "By Ana Petrosyan", "time,body"],
]
SAMPLE_OPTIONS = [
    *[("--date", "2022-11-19"), ("--now", "2023-09-26T09:30+01:00"), ("--timezone", "UTC")],
    *[("--format", "html"), ("--format", "timeline"), ("--format", "wordpress")],
    *[("--format", "sourcefabric"), ("--format", "table"), ("--zone-abbreviation", "IST=UTC")],
    *[("--year", "2023"), ("--slug", "fuzz")],
]


# A sample page or export, cut to a window or whole, spliced with markup and stamps.
sample = damaged_window(
    SAMPLE_LINES,
    longest=60,
    most_damages=5,
    pieces=st.one_of(st.sampled_from(MARKUP + FRAGMENTS), st.text(max_size=8)),
    damages=["drop", "repeat", "splice"],
    whole_page_too=True,
)


@SETTINGS
@given(
    text=sample,
    options=st.lists(
        st.sampled_from(SAMPLE_OPTIONS), max_size=3, unique_by=lambda option: option[0]
    ),
)
def test_random_html_pages_and_exports_import_or_are_refused_clearly(
    folder: Path, text: str, options: list[tuple[str, str]]
) -> None:
    arguments = [part for option in options for part in option]
    if "--timezone" not in arguments:
        arguments += ["--timezone", "Europe/London"]
    import_and_check(folder, text.encode("utf-8", "replace"), *arguments)
