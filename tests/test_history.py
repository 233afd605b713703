"""The page as it stood (``liveblog.history``) against a real replay of the log.

The reference is what the projections hold after replaying only the log's events up to the
moment through ``projections.apply``, the code every command and rebuild runs, in a
savepoint that is rolled back. History must give the same updates, flags and words, except
that an update retracted since never shows its words.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from liveblog import commands, history, projections, selectors
from liveblog.models import Blog, Entry, Event
from tests.stories import corrected_entry, turnout_48_corrected_to_46

pytestmark = pytest.mark.django_db

SIZE = 50


class _Rollback(Exception):
    pass


def _snapshot(entries: list[Entry]) -> list[tuple]:
    return [
        (e.pk, e.headline, e.body_html, e.revision, e.pinned, e.key_event, e.status == "retracted")
        for e in entries
    ]


def _replayed(blog: Blog, at: datetime) -> dict:
    """The blog at ``at`` by replaying its log's events up to then into the projections."""
    result: dict = {}
    log = list(Event.objects.filter(blog=blog, occurred_at__lte=at).order_by("seq"))
    try:
        with transaction.atomic():
            Entry.objects.filter(blog=blog).delete()
            Blog.objects.filter(pk=blog.pk).update(status=Blog.Status.DRAFT)
            projections.apply(log)
            replayed = Blog.objects.get(pk=blog.pk)
            created = any(event.type == "blog.created" for event in log)
            result["status"] = replayed.status if created else None
            result["coverage"] = (replayed.coverage_start, replayed.coverage_end)
            result["title"] = replayed.title
            timeline, _ = selectors.reader_page(replayed, size=SIZE)
            result["timeline"] = _snapshot(timeline)
            result["pinned"] = _snapshot(list(selectors.entries_pinned(replayed)))
            keys, _ = selectors.reader_page(replayed, key_events_only=True, size=SIZE)
            result["key_events"] = _snapshot(keys)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _withheld(row: tuple) -> tuple:
    entry_id, _, _, revision, pinned, key_event, _ = row
    return (entry_id, "", "", revision, pinned, key_event, True)


def _expected(rows: list[tuple], retracted_now: set[uuid.UUID]) -> list[tuple]:
    """What the public may see of the replayed state: retracted updates without words."""
    return [_withheld(row) if row[0] in retracted_now else row for row in rows]


def _assert_matches_replay(blog: Blog, at: datetime) -> None:
    reference = _replayed(blog, at)
    retracted_now = set(
        Entry.objects.filter(blog=blog, status=Entry.Status.RETRACTED).values_list("pk", flat=True)
    )
    page = history.page_at(blog, at, size=SIZE)
    keys = history.page_at(blog, at, key_events_only=True, size=SIZE)
    public = reference.get("status") in {Blog.Status.LIVE, Blog.Status.CLOSED}
    assert page.blog.is_public == public, at
    if not public:
        assert page.entries == page.pinned == keys.entries == []
        return
    assert page.blog.status == reference["status"], at
    assert (page.blog.coverage_start, page.blog.coverage_end) == reference["coverage"], at
    assert page.blog.title == reference["title"], at
    assert _snapshot(page.entries) == _expected(reference["timeline"], retracted_now), at
    assert _snapshot(page.pinned) == _expected(reference["pinned"], retracted_now), at
    assert _snapshot(keys.entries) == _expected(reference["key_events"], retracted_now), at


def _moments(blog: Blog) -> list[datetime]:
    """Each event's moment, a second either side of it, and before the first."""
    times = sorted(set(Event.objects.filter(blog=blog).values_list("occurred_at", flat=True)))
    second = timedelta(seconds=1)
    return sorted({times[0] - second, *times, *(t + second for t in times)})


def _blog_since(start: datetime) -> Blog:
    created = commands.blog_create(
        slug="as-it-stood", title="As it stood", actor="editor", occurred_at=start
    )
    return commands.blog_open(blog=created, actor="editor", occurred_at=start)


def test_every_moment_of_a_blog_matches_a_replay_of_its_log(editor) -> None:
    start = timezone.now() - timedelta(hours=3)
    blog = _blog_since(start)
    clock = iter(start + timedelta(minutes=n) for n in range(1, 1000))
    rng = random.Random(17)
    entries: list[Entry] = []
    for n in range(30):
        roll = rng.random()
        live = [e for e in entries if not Entry.objects.get(pk=e.pk).is_retracted]
        when = next(clock)
        if roll < 0.45 or not live:
            entries.append(
                commands.entry_publish(
                    blog=blog,
                    body=f"Update {n} *said* this",
                    headline=rng.choice(["", f"Headline {n}"]),
                    actor="editor",
                    occurred_at=when,
                    pinned=rng.random() < 0.15,
                    key_event=rng.random() < 0.25,
                )
            )
            continue
        entry = Entry.objects.get(pk=rng.choice(live).pk)
        if roll < 0.65:
            commands.entry_correct(
                entry=entry,
                body=f"{entry.body}, corrected at step {n}",
                reason=f"Reason {n}",
                actor="editor",
                occurred_at=when,
            )
        elif roll < 0.75:
            commands.entry_retract(
                entry=entry, reason=f"Pulled {n}", actor="editor", occurred_at=when
            )
        elif roll < 0.88:
            toggle = commands.entry_unpin if entry.pinned else commands.entry_pin
            toggle(entry=entry, actor="editor", occurred_at=when)
        else:
            toggle = (
                commands.entry_unmark_key_event
                if entry.key_event
                else commands.entry_mark_key_event
            )
            toggle(entry=entry, actor="editor", occurred_at=when)
    commands.blog_close(blog=blog, actor="editor", occurred_at=next(clock))
    assert Entry.objects.filter(blog=blog, status=Entry.Status.RETRACTED).exists()
    assert Event.objects.filter(blog=blog, type="entry.corrected").count() >= 3
    for at in _moments(blog):
        _assert_matches_replay(blog, at)


def test_a_draft_shows_nothing_before_it_opens_and_its_updates_after(editor) -> None:
    # Entries written while the blog was a draft were the newsroom's alone.
    created = commands.blog_create(slug="prepared", title="Prepared", actor="editor")
    before = timezone.now()
    entry = commands.entry_publish(blog=created, body="Ready in advance", actor="editor")
    opened_at = timezone.now()
    blog = commands.blog_open(blog=created, actor="editor", occurred_at=opened_at)
    assert history.page_at(blog, before, size=SIZE).entries == []
    assert not history.page_at(
        blog, opened_at - timedelta(microseconds=1), size=SIZE
    ).blog.is_public
    page = history.page_at(blog, timezone.now(), size=SIZE)
    assert [e.pk for e in page.entries] == [entry.pk]
    for at in _moments(blog):
        _assert_matches_replay(blog, at)


def test_words_are_those_of_the_moment_and_a_later_retraction_withholds_them(editor) -> None:
    t0 = timezone.now() - timedelta(hours=1)
    blog = _blog_since(t0 - timedelta(minutes=1))
    entry = turnout_48_corrected_to_46(
        blog, reason="Typo", at=t0, after=timedelta(minutes=10), pinned=True
    )
    kept = corrected_entry(
        blog,
        body="Polls close at ten",
        correction="Polls close at nine",
        reason="Wrong hour",
        at=t0 + timedelta(minutes=5),
        corrected_at=t0 + timedelta(minutes=15),
    )
    commands.entry_retract(
        entry=entry, reason="Unverified", actor="editor", occurred_at=t0 + timedelta(minutes=20)
    )

    page = history.page_at(blog, t0 + timedelta(minutes=7), size=SIZE)
    (shown,) = page.entries
    assert shown.body == "Polls close at ten" and shown.revision == 1
    assert page.later[kept.pk] == history.Later(retracted_at=None, corrected=True)
    # Pinned then, and retracted since: in its place, without its words.
    (pinned,) = page.pinned
    assert pinned.pk == entry.pk and pinned.body == pinned.body_html == ""
    assert page.later[entry.pk].retracted_at == t0 + timedelta(minutes=20)

    later = history.page_at(blog, t0 + timedelta(minutes=16), size=SIZE)
    assert later.entries[0].body == "Polls close at nine"
    assert later.entries[0].correction_reason == "Wrong hour"
    assert later.entries[0].last_corrected_at == t0 + timedelta(minutes=15)
    assert kept.pk not in later.later
