"""Commands validate, append with gapless seqs, project, and broadcast only after commit."""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from liveblog import commands, rebuild
from liveblog.api.serializers import EventSerializer
from liveblog.errors import (
    EntryNotFoundError,
    InvalidEventError,
    InvalidTransitionError,
    LiveblogError,
    StaleRevisionError,
)
from liveblog.models import Blog, Entry, Event
from tests.racing import run_together

pytestmark = pytest.mark.django_db


def _types(blog: Blog) -> list[str]:
    return list(Event.objects.filter(blog=blog).values_list("type", flat=True))


def test_a_blog_is_created_as_a_draft_and_opened_and_closed(editor) -> None:
    blog = commands.blog_create(slug="quake", title="Quake", actor="editor", time_zone="Asia/Tokyo")
    assert blog.status == Blog.Status.DRAFT and blog.last_seq == 1
    blog = commands.blog_open(blog=blog, actor="editor")
    assert blog.status == Blog.Status.LIVE and blog.coverage_start is not None
    blog = commands.blog_close(blog=blog, actor="editor")
    assert blog.status == Blog.Status.CLOSED
    assert blog.coverage_start and blog.coverage_end and blog.coverage_end >= blog.coverage_start
    assert _types(blog) == ["blog.created", "blog.opened", "blog.closed"]
    with pytest.raises(InvalidTransitionError):
        commands.blog_close(blog=blog, actor="editor")
    with pytest.raises(LiveblogError, match="already exists"):
        commands.blog_create(slug="quake", title="Again", actor="editor")


def test_blog_details_change_only_when_something_changed(blog) -> None:
    same = commands.blog_update(
        blog=blog,
        actor="editor",
        title=blog.title,
        description=blog.description,
        time_zone=blog.time_zone,
        coverage_start=blog.coverage_start,
    )
    assert same.last_seq == blog.last_seq
    changed = commands.blog_update(
        blog=blog,
        actor="editor",
        title="Election night: results",
        description="Live",
        time_zone="Europe/London",
        coverage_start=blog.coverage_start,
    )
    assert changed.title == "Election night: results"
    assert _types(blog)[-1] == "blog.details_changed"


def test_publishing_appends_one_event_and_projects_the_entry(blog) -> None:
    entry = commands.entry_publish(
        blog=blog,
        body="Polls **closed**.",
        headline="Polls close",
        actor="editor",
        key_event=True,
    )
    event = Event.objects.get(blog=blog, seq=3)
    assert (event.type, event.entry_id, event.actor) == ("entry.published", entry.id, "editor")
    assert entry.body_html == "<p>Polls <strong>closed</strong>.</p>"
    assert (entry.revision, entry.key_event, entry.status) == (1, True, Entry.Status.PUBLISHED)
    assert entry.revisions.get().body == "Polls **closed**."


def test_an_entry_keeps_its_newsroom_time_apart_from_when_it_was_recorded(blog) -> None:
    earlier = timezone.now() - timedelta(hours=3)
    entry = commands.entry_publish(
        blog=blog, body="Late report", actor="editor", occurred_at=earlier
    )
    event = Event.objects.get(entry_id=entry.id)
    assert entry.occurred_at == earlier == event.occurred_at
    assert event.recorded_at > earlier


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": ""}, "Body cannot be empty"),
        ({"body": "x", "occurred_at": timezone.now() + timedelta(days=1)}, "in the future"),
        ({"body": "x", "actor": ""}, "actor"),
    ],
)
def test_publishing_refuses_bad_input_and_writes_nothing(blog, kwargs, message) -> None:
    before = blog.last_seq
    with pytest.raises(InvalidEventError, match=message):
        commands.entry_publish(blog=blog, **{"actor": "editor", **kwargs})
    assert Event.objects.filter(blog=blog).count() == before


def test_a_correction_keeps_every_earlier_revision_readable(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="Turnout 60%", actor="editor")
    entry = commands.entry_correct(
        entry=entry,
        body="Turnout 66%",
        reason="Figure misread",
        actor="editor",
        based_on_revision=1,
    )
    assert (entry.body, entry.revision, entry.correction_reason) == (
        "Turnout 66%",
        2,
        "Figure misread",
    )
    assert entry.last_corrected_at is not None
    assert [r.body for r in entry.revisions.order_by("number")] == ["Turnout 60%", "Turnout 66%"]


def test_a_correction_needs_a_reason_and_a_change(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="A", actor="editor")
    with pytest.raises(InvalidEventError, match="Reason cannot be empty"):
        commands.entry_correct(entry=entry, body="B", reason=" ", actor="editor")
    with pytest.raises(InvalidTransitionError, match="identical"):
        commands.entry_correct(entry=entry, body="A", reason="no-op", actor="editor")


def test_a_stale_correction_is_refused_and_shows_the_newer_text(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="Two injured", actor="alice")
    commands.entry_correct(
        entry=entry, body="Three injured", reason="Update", actor="bob", based_on_revision=1
    )
    with pytest.raises(StaleRevisionError) as caught:
        commands.entry_correct(
            entry=entry, body="Four injured", reason="Update", actor="alice", based_on_revision=1
        )
    assert caught.value.current.body == "Three injured"
    assert Entry.objects.get(pk=entry.pk).body == "Three injured"


def test_a_retracted_entry_cannot_be_corrected_pinned_or_retracted_again(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="Rumour", actor="editor", pinned=True)
    entry = commands.entry_retract(entry=entry, reason="Could not be verified", actor="editor")
    assert entry.is_retracted and not entry.pinned
    assert entry.retraction_reason == "Could not be verified"
    for attempt in (
        lambda: commands.entry_correct(entry=entry, body="x", reason="y", actor="editor"),
        lambda: commands.entry_pin(entry=entry, actor="editor"),
        lambda: commands.entry_retract(entry=entry, reason="again", actor="editor"),
    ):
        with pytest.raises(InvalidTransitionError, match="retracted"):
            attempt()


def test_pin_and_key_event_toggle_and_refuse_no_ops(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="Result", actor="editor")
    assert commands.entry_pin(entry=entry, actor="editor").pinned
    with pytest.raises(InvalidTransitionError, match="already pinned"):
        commands.entry_pin(entry=entry, actor="editor")
    assert not commands.entry_unpin(entry=entry, actor="editor").pinned
    assert commands.entry_mark_key_event(entry=entry, actor="editor").key_event
    assert not commands.entry_unmark_key_event(entry=entry, actor="editor").key_event
    assert _types(blog)[-4:] == [
        "entry.pinned",
        "entry.unpinned",
        "entry.marked_key_event",
        "entry.unmarked_key_event",
    ]


def test_broadcast_happens_after_commit_and_never_for_a_rollback(
    blog, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    sent: list[list[int]] = []
    monkeypatch.setattr(
        "liveblog.broadcast.send_events", lambda events: sent.append([e.seq for e in events])
    )
    with django_capture_on_commit_callbacks(execute=True):
        commands.entry_publish(blog=blog, body="Seen", actor="editor")
    assert sent == [[3]]

    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        commands.entry_publish(blog=blog, body="Never seen", actor="editor")
        raise Abort
    assert sent == [[3]] and callbacks == []
    assert not Entry.objects.filter(body="Never seen").exists()


def test_rebuild_reproduces_the_live_projection(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="One", actor="editor")
    commands.entry_correct(entry=entry, body="One!", reason="emphasis", actor="editor")
    commands.entry_pin(entry=entry, actor="editor")
    before = list(Entry.objects.values())
    assert rebuild.rebuild(blog) == blog.last_seq + 3
    assert list(Entry.objects.values()) == before


@pytest.mark.django_db(transaction=True)
def test_editors_publishing_at_the_same_moment_get_gapless_seqs(editor) -> None:
    blog = commands.blog_create(slug="race", title="Race", actor="editor")
    editors, each = (8, 10) if connection.vendor == "postgresql" else (4, 5)

    def work(n: int) -> None:
        for i in range(each):
            commands.entry_publish(blog=blog, body=f"editor {n} update {i}", actor=f"e{n}")

    run_together([functools.partial(work, n) for n in range(editors)])
    seqs = list(Event.objects.filter(blog=blog).values_list("seq", flat=True))
    assert seqs == list(range(1, editors * each + 2))
    assert Entry.objects.filter(blog=blog).count() == editors * each


def test_publishing_an_entry_id_again_returns_the_entry_and_says_it_was_not_created(
    blog, editor
) -> None:
    entry_id = uuid.uuid4()
    publication = commands.Publication(body="Once", headline="Polls", entry_id=entry_id)
    first = commands.entry_publish_once(blog=blog, actor="editor", publication=publication)
    again = commands.entry_publish_once(blog=blog, actor="editor", publication=publication)
    assert (first.created, again.created) == (True, False)
    assert first.entry.pk == again.entry.pk == entry_id
    assert Event.objects.filter(entry_id=entry_id).count() == 1
    with pytest.raises(InvalidTransitionError, match="already been published"):
        commands.entry_publish(blog=blog, body="Other text", actor="editor", entry_id=entry_id)
    elsewhere = commands.blog_create(slug="elsewhere", title="Elsewhere", actor="editor")
    with pytest.raises(InvalidTransitionError, match="already been published"):
        commands.entry_publish_once(blog=elsewhere, actor="editor", publication=publication)
    assert Event.objects.filter(entry_id=entry_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_publishes_at_the_same_moment_create_the_entry_once(editor) -> None:
    blog = commands.blog_create(slug="twice", title="Twice", actor="editor")
    publication = commands.Publication(body="Sent twice", entry_id=uuid.uuid4())

    def publish() -> commands.Published:
        return commands.entry_publish_once(blog=blog, actor="editor", publication=publication)

    outcomes = run_together([publish, publish])
    assert sorted(outcome.created for outcome in outcomes) == [False, True]
    assert {outcome.entry.pk for outcome in outcomes} == {publication.entry_id}
    assert Event.objects.filter(entry_id=publication.entry_id).count() == 1


def test_entry_commands_accept_an_id_given_as_text(
    blog, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    entry = commands.entry_publish(blog=blog, body="Text", actor="editor")
    pushed: list[dict] = []
    monkeypatch.setattr(
        "liveblog.broadcast.send_events",
        lambda events: pushed.extend(EventSerializer.represent_many(events)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        commands.entry_pin(entry=str(entry.id), actor="editor")
    assert pushed[0]["entry"]["pinned"] is True
    with pytest.raises(EntryNotFoundError):
        commands.entry_pin(entry="not-a-uuid", actor="editor")
