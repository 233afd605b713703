"""The desk's unpublished updates: drafts, schedules, submissions, and how they get out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from liveblog import commands, rebuild, schedule
from liveblog.bylines import Byline
from liveblog.errors import InvalidEventError, InvalidTransitionError, StaleRevisionError
from liveblog.models import Blog, DeskEntry, Entry, Event

pytestmark = pytest.mark.django_db

ANA = Byline("Ana Petrosyan", "Correspondent", "Yerevan")


def _write(blog: Blog, status: str, body: str = "Polls close at 8pm", **kwargs: Any) -> DeskEntry:
    writing = commands.Writing(body=body, headline="Polls", byline=ANA, labels=["Breaking"])
    return commands.desk_write(
        blog=blog, actor=kwargs.pop("actor", "editor"), writing=writing, status=status, **kwargs
    ).entry


def _types(blog: Blog, after: int) -> list[str]:
    return list(Event.objects.filter(blog=blog, seq__gt=after).values_list("type", flat=True))


def test_a_draft_is_kept_off_the_entries_until_it_is_published(blog: Blog) -> None:
    before = blog.last_seq
    draft = _write(blog, DeskEntry.Status.DRAFT)
    assert draft.status == "draft" and draft.written_by == "editor"
    assert not Entry.objects.filter(pk=draft.pk).exists()

    published = commands.desk_publish(entry=draft, actor="chief")
    entry = published.entry
    assert published.created and entry.pk == draft.pk
    assert (entry.body, entry.headline, entry.labels) == (
        "Polls close at 8pm",
        "Polls",
        ["Breaking"],
    )
    assert (entry.author_name, entry.author_role, entry.author_location) == (
        "Ana Petrosyan",
        "Correspondent",
        "Yerevan",
    )
    assert entry.author == "chief"  # who published it: the log says who approved
    assert _types(blog, before) == ["desk.drafted", "desk.published", "entry.published"]
    draft.refresh_from_db()
    assert (draft.status, draft.decided_by) == ("published", "chief")
    again = commands.desk_publish(entry=draft, actor="chief")
    assert not again.created and again.entry.pk == draft.pk
    assert _types(blog, before) == ["desk.drafted", "desk.published", "entry.published"]


def test_a_submission_is_returned_with_a_note_changed_and_approved(blog: Blog) -> None:
    submitted = _write(blog, DeskEntry.Status.SUBMITTED, actor="freelancer")
    returned = commands.desk_return(entry=submitted, actor="editor", note="Source, please")
    assert (returned.status, returned.note) == ("returned", "Source, please")
    with pytest.raises(InvalidTransitionError):
        commands.desk_return(entry=submitted, actor="editor", note="again")
    fixed = commands.Writing(body="Polls close at 8pm, the commission says", byline=ANA)
    again = commands.desk_revise(entry=submitted, actor="freelancer", writing=fixed, resubmit=True)
    assert (again.status, again.revision) == ("submitted", 2)
    edited = commands.Writing(body="Polls close at 8pm, the election commission says", byline=ANA)
    commands.desk_revise(entry=submitted, actor="editor", writing=edited, based_on_revision=2)
    entry = commands.desk_publish(entry=submitted, actor="editor").entry
    assert entry.body == "Polls close at 8pm, the election commission says"
    log = Event.objects.filter(entry_id=submitted.pk).order_by("seq")
    assert [(e.type, e.actor) for e in log] == [
        ("desk.submitted", "freelancer"),
        ("desk.returned", "editor"),
        ("desk.submitted", "freelancer"),
        ("desk.revised", "editor"),
        ("desk.published", "editor"),
        ("entry.published", "editor"),
    ]


def test_a_change_based_on_an_old_revision_is_refused(blog: Blog) -> None:
    draft = _write(blog, DeskEntry.Status.DRAFT)
    commands.desk_revise(entry=draft, actor="editor", writing=commands.Writing(body="Newer"))
    with pytest.raises(StaleRevisionError) as refused:
        commands.desk_revise(
            entry=draft, actor="other", writing=commands.Writing(body="Mine"), based_on_revision=1
        )
    assert refused.value.current.body == "Newer"


def test_scheduled_updates_go_out_when_due_once_and_not_before(blog: Blog) -> None:
    soon = timezone.now() + timedelta(minutes=5)
    scheduled = _write(blog, DeskEntry.Status.SCHEDULED, publish_at=soon)
    assert scheduled.status == "scheduled" and scheduled.publish_at == soon
    assert schedule.publish_due(soon - timedelta(seconds=1)) == 0
    assert schedule.publish_due(soon) == 1
    assert schedule.publish_due(soon) == 0  # published once, however often it is asked
    entry = Entry.objects.get(pk=scheduled.pk)
    assert entry.author == "schedule:editor"
    assert Event.objects.filter(entry_id=scheduled.pk, type="entry.published").count() == 1


def test_a_schedule_can_be_moved_made_a_draft_or_cancelled_until_its_time(blog: Blog) -> None:
    now = timezone.now()
    first = _write(blog, DeskEntry.Status.SCHEDULED, publish_at=now + timedelta(minutes=5))
    second = _write(
        blog, DeskEntry.Status.SCHEDULED, "Turnout", publish_at=now + timedelta(minutes=5)
    )
    third = _write(
        blog, DeskEntry.Status.SCHEDULED, "Results", publish_at=now + timedelta(minutes=5)
    )
    commands.desk_schedule(entry=first, actor="editor", publish_at=now + timedelta(hours=1))
    commands.desk_schedule(entry=second, actor="editor", publish_at=None)
    commands.desk_cancel(entry=third, actor="editor")
    assert schedule.publish_due(now + timedelta(minutes=10)) == 0
    assert [d.status for d in DeskEntry.objects.order_by("created_at")] == [
        "scheduled",
        "draft",
        "cancelled",
    ]
    assert schedule.publish_due(now + timedelta(hours=1)) == 1
    with pytest.raises(InvalidTransitionError, match="cancelled"):
        commands.desk_publish(entry=third, actor="editor")


def test_publication_times_speak_the_form_s_language(blog: Blog) -> None:
    with pytest.raises(InvalidEventError, match=r"^Publication time has passed") as past:
        _write(blog, DeskEntry.Status.SCHEDULED, publish_at=timezone.now() - timedelta(minutes=1))
    assert past.value.field == "publish_at"
    with pytest.raises(InvalidEventError, match=r"^Time is in the future") as future:
        commands.entry_publish(
            blog=blog, body="x", actor="editor", occurred_at=timezone.now() + timedelta(hours=2)
        )
    assert future.value.field == "occurred_at"


def test_labels_must_be_the_blog_s_and_take_its_spelling(blog: Blog) -> None:
    entry = commands.entry_publish(blog=blog, body="x", actor="editor", labels=["breaking"])
    assert entry.labels == ["Breaking"]
    with pytest.raises(InvalidEventError, match="“Rumour” is not one of this blog's labels"):
        commands.entry_set_labels(entry=entry, labels=["Rumour"], actor="editor")
    commands.blog_set_labels(blog=blog, labels=["Breaking", "Rumour"], actor="editor")
    changed = commands.entry_set_labels(entry=entry, labels=["Rumour", "Breaking"], actor="editor")
    assert changed.labels == ["Rumour", "Breaking"]
    commands.blog_set_labels(blog=blog, labels=[], actor="editor")
    assert Entry.objects.get(pk=entry.pk).labels == ["Rumour", "Breaking"]  # kept


def test_the_desk_rebuilds_from_the_log(blog: Blog) -> None:
    draft = _write(blog, DeskEntry.Status.DRAFT)
    submitted = _write(blog, DeskEntry.Status.SUBMITTED, "From the field", actor="freelancer")
    commands.desk_return(entry=submitted, actor="editor", note="Photo?")
    scheduled = _write(
        blog, DeskEntry.Status.SCHEDULED, "Later", publish_at=timezone.now() + timedelta(hours=1)
    )
    commands.desk_publish(entry=draft, actor="editor")
    live = list(DeskEntry.objects.order_by("pk").values())
    rebuild.rebuild(blog)
    assert list(DeskEntry.objects.order_by("pk").values()) == live
    assert DeskEntry.objects.get(pk=scheduled.pk).status == "scheduled"


def test_publish_scheduled_once_publishes_what_is_due(blog: Blog) -> None:
    from io import StringIO

    from django.core.management import call_command

    item = _write(
        blog, DeskEntry.Status.SCHEDULED, publish_at=timezone.now() + timedelta(seconds=1)
    )
    DeskEntry.objects.filter(pk=item.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("publish_scheduled", "--once", stdout=out)
    assert out.getvalue().strip() == "Published 1 scheduled updates."
    assert Entry.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db(transaction=True)
async def test_the_schedule_runs_in_the_server_s_lifespan_and_stops_with_it(
    blog: Blog, settings: Any
) -> None:
    import asyncio

    from channels.db import database_sync_to_async as sync_to_async  # closes its connection

    settings.LIVEBLOG_SCHEDULER = True
    settings.LIVEBLOG_SCHEDULE_POLL_SECONDS = 0.05
    due = timezone.now() + timedelta(seconds=1)
    item = await sync_to_async(_write)(blog, DeskEntry.Status.SCHEDULED, publish_at=due)
    published = sync_to_async(lambda: Entry.objects.filter(pk=item.pk).exists())
    async with schedule.in_server_process():
        for _ in range(100):
            if await published():
                break
            await asyncio.sleep(0.05)
    assert await published()
    entry = await sync_to_async(Entry.objects.get)(pk=item.pk)
    assert due <= entry.published_at < due + timedelta(seconds=1)
