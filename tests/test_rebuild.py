"""Whatever editors do, replaying the log gives exactly the projection they see live."""

from __future__ import annotations

import gc
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveblog import (
    bulk,
    commands,
    content,
    embeds,
    markup,
    projections,
    rebuild,
    schedule,
    selectors,
)
from liveblog import events as ev
from liveblog.bylines import Byline
from liveblog.errors import LiveblogError
from liveblog.media import file_url
from liveblog.models import (
    Blog,
    DeskEntry,
    Entry,
    EntryLabel,
    EntryRevision,
    Event,
    Media,
    MediaUse,
)
from tests import samples
from tests.stories import uploaded_photo

pytestmark = pytest.mark.django_db

_IMAGES = [samples.photo(64, 48, orientation=6), samples.photo(40, 40, image_format="PNG")]
_EMBED_URL = "https://www.youtube.com/watch?v=hypo"
_EMBEDS = [
    embeds.link_card(_EMBED_URL, "YouTube"),
    {
        **embeds.link_card(_EMBED_URL, "YouTube"),
        "kind": "video",
        "title": "Harbour <wall>",
        "author": "Cornwall Live",
        "html": '<iframe src="https://www.youtube.com/embed/hypo"></iframe>',
    },
]


def _rich_body(blog: Blog, pick: int, with_embed: bool, text: str = "Update") -> tuple:
    """A body showing one of the blog's uploads and perhaps an embed, and what it refers to."""
    uploads = list(Media.objects.filter(blog=blog).order_by("seq"))
    lines = [text.strip() or "Update"]
    if uploads:
        lines.append(f"![Picture {pick}]({file_url(uploads[pick % len(uploads)].name)})")
    lines.append("![remote](https://example.org/x.jpg)")
    if with_embed:
        lines.append(_EMBED_URL)
    body = "\n\n".join(lines)
    found = content.media_for_urls(blog.pk, markup.analyse(body).image_urls)
    return body, found, [_EMBEDS[pick % 2]] if with_embed else []


_LABELS = ["Breaking", "Analysis", "Fact check", "Rumour"]
_BYLINES = [
    Byline(),
    Byline("Ana Petrosyan", "Correspondent", "Yerevan"),
    Byline("Reuters"),
    Byline("Lilit", location="Goris"),
]

# Mostly valid input (printable, non-blank), so that most generated commands are accepted
# and the replay has a long, varied history to reproduce; refusals are exercised too.
_text = st.one_of(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
        min_size=1,
        max_size=40,
    ).filter(str.strip),
    st.text(max_size=3),
)
_actions = st.lists(
    st.one_of(
        st.tuples(st.just("publish"), _text, _text, st.booleans(), st.integers(0, 600)),
        st.tuples(st.just("upload"), st.sampled_from(_IMAGES), _text),
        st.tuples(st.just("publish_rich"), st.integers(0, 5), st.booleans(), _text),
        st.tuples(st.just("correct_rich"), st.integers(0, 20), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("correct"), st.integers(0, 20), _text, _text),
        st.tuples(st.just("retract"), st.integers(0, 20), _text),
        st.tuples(st.sampled_from(["pin", "unpin", "mark", "unmark"]), st.integers(0, 20)),
        st.tuples(st.sampled_from(["close", "open"])),
        # The desk: unpublished updates, their outcomes, bylines and labels.
        st.tuples(
            st.just("write"),
            st.sampled_from(["draft", "submitted", "scheduled"]),
            _text,
            st.integers(0, 3),
        ),
        st.tuples(st.just("revise"), st.integers(0, 20), _text, st.booleans()),
        st.tuples(st.just("reschedule"), st.integers(0, 20), st.integers(-1, 90)),
        st.tuples(st.just("return"), st.integers(0, 20), _text),
        st.tuples(st.sampled_from(["cancel", "approve"]), st.integers(0, 20)),
        st.tuples(st.just("due"), st.integers(0, 120)),
        st.tuples(st.just("label"), st.integers(0, 20), st.lists(st.sampled_from(_LABELS))),
        st.tuples(st.just("blog_labels"), st.lists(st.sampled_from(_LABELS), unique=True)),
    ),
    max_size=25,
)


def _snapshot(blog: Blog) -> tuple[Any, ...]:
    entries = list(Entry.objects.filter(blog=blog).order_by("id").values())
    revisions = list(
        EntryRevision.objects.filter(entry__blog=blog)
        .order_by("entry_id", "number")
        .values(
            "entry_id",
            "number",
            "headline",
            "body",
            "body_html",
            "reason",
            "seq",
            "actor",
            "media",
            "embeds",
        )
    )
    media = list(Media.objects.filter(blog=blog).order_by("seq").values())
    stream = (
        Blog.objects.filter(pk=blog.pk)
        .values(
            "title", "status", "coverage_start", "coverage_end", "last_seq", "updated_at", "labels"
        )
        .get()
    )
    desk = list(DeskEntry.objects.filter(blog=blog).order_by("id").values())
    labels = sorted(EntryLabel.objects.filter(blog=blog).values_list("entry_id", "name"))
    uses = sorted(MediaUse.objects.filter(blog=blog).values_list("entry_id", "name"))
    # What readers may load: the files of retracted entries no live entry shows are withdrawn.
    withdrawn = {name: bool(selectors.media_withdrawn_from(name)) for _, name in uses}
    return entries, revisions, stream, media, desk, labels, uses, withdrawn


def _run_desk(blog: Blog, action: tuple) -> None:
    """The desk's commands; refusals (a cancelled update published, say) are exercised too."""
    name = action[0]
    if name == "write":
        _, status, body, who = action
        when = timezone.now() + timedelta(minutes=30) if status == "scheduled" else None
        writing = commands.Writing(body=body, headline="H", byline=_BYLINES[who])
        commands.desk_write(blog=blog, actor="ed", writing=writing, status=status, publish_at=when)
        return
    if name == "due":
        schedule.publish_due(timezone.now() + timedelta(minutes=action[1]))
        return
    if name == "blog_labels":
        commands.blog_set_labels(blog=blog, labels=action[1], actor="ed")
        return
    if name == "label":
        ids = list(
            Entry.objects.filter(blog=blog).order_by("published_seq").values_list("id", flat=True)
        )
        if ids:
            commands.entry_set_labels(entry=ids[action[1] % len(ids)], labels=action[2], actor="ed")
        return
    items = list(DeskEntry.objects.filter(blog=blog).order_by("created_at", "id"))
    if not items:
        return
    item = items[action[1] % len(items)]
    if name == "revise":
        writing = commands.Writing(body=action[2], byline=_BYLINES[1], labels=["Breaking"])
        commands.desk_revise(entry=item, actor="ana", writing=writing, resubmit=action[3])
    elif name == "reschedule":
        minutes = action[2]
        when = None if minutes < 0 else timezone.now() + timedelta(minutes=minutes + 1)
        commands.desk_schedule(entry=item, actor="ed", publish_at=when)
    elif name == "return":
        commands.desk_return(entry=item, actor="ed", note=action[2])
    elif name == "cancel":
        commands.desk_cancel(entry=item, actor="ed")
    else:
        commands.desk_publish(entry=item, actor="ed")


def _run(blog: Blog, action: tuple) -> None:
    ids = list(
        Entry.objects.filter(blog=blog).order_by("published_seq").values_list("id", flat=True)
    )
    pick = (lambda n: ids[n % len(ids)]) if ids else None
    name = action[0]
    if name in _DESK_ACTIONS:
        _run_desk(blog, action)
        return
    if name == "upload":
        uploaded_photo(blog, data=action[1], filename="", alt=action[2], actor="ed")
    elif name == "publish_rich":
        body, media, embedded = _rich_body(blog, action[1], action[2], action[3])
        commands.entries_publish(
            blog=blog,
            publications=[commands.Publication(body=body, media=media, embeds=embedded)],
            actor="ed",
        )
    elif name == "publish":
        _, body, headline, key, minutes = action
        commands.entry_publish(
            blog=blog,
            body=body,
            headline=headline,
            key_event=key,
            actor="ed",
            occurred_at=timezone.now() - timedelta(minutes=minutes),
            byline=_BYLINES[minutes % len(_BYLINES)],
            labels=_LABELS[: minutes % 3],
        )
    elif pick is None:
        return
    elif name == "correct":
        commands.entry_correct(entry=pick(action[1]), body=action[2], reason=action[3], actor="ed")
    elif name == "correct_rich":
        body, media, embedded = _rich_body(blog, action[2], action[3])
        commands.entry_correct(
            entry=pick(action[1]),
            body=body,
            reason="swap",
            actor="ed",
            media=media,
            embeds=embedded,
        )
    elif name == "retract":
        commands.entry_retract(entry=pick(action[1]), reason=action[2], actor="ed")
    else:
        command = {
            "pin": commands.entry_pin,
            "unpin": commands.entry_unpin,
            "mark": commands.entry_mark_key_event,
            "unmark": commands.entry_unmark_key_event,
        }[name]
        command(entry=pick(action[1]), actor="ed")


_DESK_ACTIONS = {
    "write",
    "revise",
    "reschedule",
    "return",
    "cancel",
    "approve",
    "due",
    "label",
    "blog_labels",
}


def _run_blog_action(blog: Blog, name: str) -> None:
    command = commands.blog_close if name == "close" else commands.blog_open
    command(blog=blog, actor="ed")


class _Rollback(Exception):
    pass


def _damage(blog: Blog, how: str) -> None:
    """Leave the projections wrong in one of the ways a rebuild is there to repair.

    On PostgreSQL the replay keeps the rows it would write again as they are (``bulk.merge``):
    whatever it finds, it must leave what the log says, no more and no less.
    """
    entries = Entry.objects.filter(blog=blog)
    revisions = EntryRevision.objects.filter(entry__blog=blog)
    if how == "emptied":
        for model in (EntryRevision, EntryLabel, MediaUse):
            model.objects.filter(entry__blog=blog).delete()
        entries.delete()
        Media.objects.filter(blog=blog).delete()
        DeskEntry.objects.filter(blog=blog).delete()
    elif how == "tampered":
        entries.update(body_html="tampered", revision=7, pinned=True, labels=["Stray"])
        # Past any number a history here reaches, so that no two rows swap numbers.
        revisions.update(headline="tampered", number=F("number") + 100)
        EntryLabel.objects.filter(blog=blog).update(name="Stray")
    elif how == "stray":
        published = list(entries.order_by("published_seq"))
        now = timezone.now()
        stray = Entry.objects.create(
            id=uuid.uuid4(),
            blog=blog,
            body="Never published",
            body_html="<p>Never published</p>",
            occurred_at=now,
            author="ed",
            published_seq=1,
            published_at=now,
            last_seq=1,
            updated_at=now,
        )
        EntryLabel.objects.create(entry=stray, blog=blog, name="Stray")
        for entry, number in [(stray, 1), *((entry, 99) for entry in published[:1])]:
            EntryRevision.objects.create(
                entry=entry, number=number, body="Never", body_html="", seq=1, recorded_at=now
            )
        if published:
            revisions.filter(entry=published[-1], number=1).delete()  # a first revision lost
        if len(published) > 1:
            published[1].delete()  # a whole entry lost, with its revisions and labels


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=_actions, damage=st.sampled_from(["none", "emptied", "tampered", "stray"]))
def test_rebuilt_projection_equals_the_live_one(db, actions, damage) -> None:
    try:
        with transaction.atomic():
            blog = commands.blog_create(slug="h", title="Hypothesis", actor="ed")
            for action in actions:
                try:
                    if action[0] in {"open", "close"}:
                        _run_blog_action(blog, action[0])
                    else:
                        _run(blog, action)
                except LiveblogError:
                    pass  # a refused command appends nothing; the next one goes on
            live = _snapshot(blog)
            _damage(blog, damage)
            rebuild.rebuild(blog)
            assert _snapshot(blog) == live
            raise _Rollback
    except _Rollback:
        pass


_MARKDOWN = [
    '**Breaking**: the council *confirmed* it -- "officially"... see <https://example.org>',
    "| Region | Turnout |\n|:--|--:|\n| North | 61% |\n| South | 58% |",
    "- [x] polls closed\n- [ ] count ~~started~~ under way\n\n1. one\n2. two",
    "Read [the report][r] and www.example.com/results.\n\n[r]: https://example.org/r 'Report'",
    "[r] has no definition in this entry, so it stays text.",
    "```python\nprint('<b>not bold</b>')\n```\n\n> quoted <script>alert(1)</script>",
    '<iframe src="https://evil.example"></iframe><a href="javascript:x()" onclick="y()">z</a>',
    "### Headline\n\n---\n\nÜmlauts, émigrés and 🗳️ emoji\nwith a soft break",
]


def test_rebuild_equals_the_live_projection_for_markdown_and_every_entry_event(blog) -> None:
    yerevan = timezone.now().astimezone(ZoneInfo("Asia/Yerevan")) - timedelta(hours=2)
    commands.entries_publish(
        blog=blog,
        publications=[
            commands.Publication(body=body, headline=f"Update {n}", occurred_at=yerevan)
            for n, body in enumerate(_MARKDOWN)
        ],
        actor="import:results.txt",
    )
    first = commands.entry_publish(blog=blog, body=_MARKDOWN[1], actor="ed", key_event=True)
    second = commands.entry_publish(blog=blog, body=_MARKDOWN[3], actor="ed", pinned=True)
    commands.entry_correct(entry=first, body=_MARKDOWN[2], reason="New figures", actor="ed")
    commands.entry_retract(entry=second, reason="Wrong region", actor="ed")
    commands.entry_pin(entry=first, actor="ed")
    commands.entry_unmark_key_event(entry=first, actor="ed")
    commands.entry_publish(blog=blog, body=_MARKDOWN[0], actor="ed")

    assert Entry.objects.filter(blog=blog, body_html__contains="<table>").exists()
    live = _snapshot(blog)
    rebuild.rebuild(blog)
    assert _snapshot(blog) == live


def test_rebuilding_one_blog_leaves_the_others_alone(blog) -> None:
    other = commands.blog_create(slug="other", title="Other", actor="ed")
    entry = commands.entry_publish(blog=blog, body=_MARKDOWN[0], actor="ed")
    commands.entry_correct(entry=entry, body=_MARKDOWN[1], reason="fix", actor="ed")
    for body in _MARKDOWN:
        commands.entry_publish(blog=other, body=body, actor="ed")
    live = _snapshot(blog), _snapshot(other)
    Entry.objects.update(body_html="tampered")

    # Four events against eight entries of the other blog: the indexes are kept up to date.
    assert rebuild.rebuild(blog) == 4
    assert _snapshot(blog) == live[0]
    assert set(Entry.objects.filter(blog=other).values_list("body_html", flat=True)) == {"tampered"}
    # Then the other blog is most of the entries: its replay builds the indexes afresh.
    rebuild.rebuild()
    assert (_snapshot(blog), _snapshot(other)) == live


def test_rebuild_leaves_the_tables_with_the_indexes_they_had(blog) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite's plain indexes are set aside during a rebuild")
    commands.entry_publish(blog=blog, body="Polls open", actor="ed")
    query = (
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name IN ('liveblog_entry', 'liveblog_entryrevision') ORDER BY name"
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        before = cursor.fetchall()
        rebuild.rebuild(blog)
        cursor.execute(query)
        assert cursor.fetchall() == before
    # The feed index is set aside and built again (the unique ones stay throughout).
    assert [name for name, _, sql in before if sql and "UNIQUE" not in sql] == [
        "liveblog_entry_feed"
    ]


def test_the_replay_reads_copied_columns_as_stored_and_converts_them_as_the_orm_does(
    blog,
) -> None:
    commands.entry_publish(blog=blog, body="Polls open", actor="ed")
    names = ["seq", "entry_id", "occurred_at", "recorded_at"]
    stored = (
        Event.objects.filter(blog=blog)
        .order_by("seq")
        .values_list("seq", *(bulk.stored(Event, name) for name in names[1:]))
    )
    read = Event.objects.filter(blog=blog).order_by("seq").values_list(*names)
    to_python = [bulk.from_stored(Event, name) for name in names[1:]]
    converted = [
        (seq, *(convert(value) for convert, value in zip(to_python, values, strict=True)))
        for seq, *values in stored
    ]
    assert converted == list(read)
    assert any(entry_id is not None for _, entry_id, _, _ in converted)


def test_rebuild_gives_the_connection_its_page_cache_size_back(blog) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the page cache size is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()
        rebuild.rebuild(blog)
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone() == before


def test_entry_events_stored_at_version_1_still_rebuild(blog) -> None:
    # A publication and a correction as the log held them before entries had media.
    entry = commands.entry_publish(blog=blog, body="Polls close at 10pm", actor="ed")
    blog.refresh_from_db()
    now = timezone.now()
    Event(
        blog=blog,
        seq=blog.last_seq + 1,
        type="entry.corrected",
        entry_id=entry.pk,
        payload={"body": "Polls close at **9pm**", "headline": "", "reason": "Earlier"},
        schema_version=1,
        occurred_at=now,
        recorded_at=now,
        actor="ed",
    ).save()
    rebuild.rebuild(blog)
    entry.refresh_from_db()
    assert entry.body_html == "<p>Polls close at <strong>9pm</strong></p>"
    assert (entry.media, entry.embeds, entry.revision) == ([], [], 2)


def test_the_columns_written_as_stored_are_those_a_publication_copies_from_its_event() -> None:
    class Copied:
        """A stored value of the event row, to find where publication_rows puts it."""

    event = projections.StoredEvent(
        blog_id=1,
        seq=1,
        type=ev.EntryPublished.TYPE,
        entry_id=Copied(),
        payload={},
        schema_version=1,
        occurred_at=Copied(),
        recorded_at=Copied(),
        actor="ed",
    )
    photo = {
        "id": "1",
        "alt": "The queue",
        "caption": "",
        "credit": "",
        "content_type": "image/jpeg",
        "files": [{"name": f"ab/{'c' * 64}.jpg", "width": 640, "height": 480, "size": 900}],
    }
    data = ev.EntryPublished(body="Polls open", labels=["Breaking"], media=[photo])
    rows = projections.publication_rows(event, data)
    found = {
        model: {name for name, value in row.items() if isinstance(value, Copied)}
        for model, row in (
            (Entry, rows.entry),
            (EntryRevision, rows.revision),
            (EntryLabel, rows.labels[0]),
            (MediaUse, rows.uses[0]),
        )
    }
    assert found == rebuild.STORED_COLUMNS


def test_text_that_copy_would_misread_unescaped_survives_a_rebuild(blog) -> None:
    # COPY's text format gives tabs, newlines, backslashes and \N meanings of their own.
    body = "Tab\there, a backslash \\ and \\N,\r\nthen a new line\n\n`C:\\temp\\new`"
    commands.entry_publish(
        blog=blog,
        body=body,
        headline="A \\N headline\twith a tab",
        actor="ed\\desk",
        labels=["Fact check"],
        byline=Byline("Ana\tPetrosyan", "Corre\\spondent"),
    )
    live = _snapshot(blog)
    rebuild.rebuild(blog)
    assert _snapshot(blog) == live
    assert Entry.objects.get(blog=blog).body == body


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_a_rebuild_inside_a_callers_transaction_leaves_its_commit_durable(blog) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    commands.entry_publish(blog=blog, body="Polls open", actor="ed")
    before = _synchronous_commit()
    # The test runs in a transaction of its own, as a caller appending events would.
    rebuild.rebuild(blog)
    assert _synchronous_commit() == before == "on"


def _row_versions(blog: Blog) -> tuple[dict[Any, str], dict[Any, str]]:
    """Where each entry's and revision's current version lies: a row written again moves."""

    def located(rows: QuerySet, key: str) -> dict[Any, str]:
        table = rows.model._meta.db_table
        return dict(rows.annotate(at=RawSQL(f"{table}.ctid::text", [])).values_list(key, "at"))

    return (
        located(Entry.objects.filter(blog=blog), "id"),
        located(EntryRevision.objects.filter(entry__blog=blog), "entry_id"),
    )


def test_a_rebuild_on_postgresql_writes_only_the_rows_that_differ(blog) -> None:
    if connection.vendor != "postgresql" or connection.pg_version < 150000:  # type: ignore[attr-defined]
        pytest.skip("bulk.merge, which compares before writing, needs PostgreSQL 15's MERGE")
    kept = commands.entry_publish(blog=blog, body="Polls open", actor="ed")
    wrong = commands.entry_publish(blog=blog, body="Turnout *high*", actor="ed")
    live = _snapshot(blog)
    Entry.objects.filter(pk=wrong.pk).update(body_html="tampered")
    EntryRevision.objects.filter(entry=wrong).update(headline="tampered")
    entries, revisions = _row_versions(blog)

    rebuild.rebuild(blog)

    assert _snapshot(blog) == live
    entries_after, revisions_after = _row_versions(blog)
    assert entries_after[kept.pk] == entries[kept.pk]
    assert revisions_after[kept.pk] == revisions[kept.pk]
    assert entries_after[wrong.pk] != entries[wrong.pk]
    assert revisions_after[wrong.pk] != revisions[wrong.pk]


def test_a_load_collects_garbage_rarely_and_gives_the_collector_its_threshold_back() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), bulk.rare_collections(12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        raise RuntimeError("a load that fails half-way")
    assert gc.get_threshold() == before
