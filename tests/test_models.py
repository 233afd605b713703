"""The event log is append-only, in the application and in the database itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from liveblog import commands
from liveblog.errors import EventLogImmutableError
from liveblog.models import Event

pytestmark = pytest.mark.django_db


def test_the_orm_refuses_to_change_or_delete_events(blog) -> None:
    event = Event.objects.filter(blog=blog).earliest("seq")
    event.actor = "someone else"
    with pytest.raises(EventLogImmutableError):
        event.save()
    with pytest.raises(EventLogImmutableError):
        event.delete()
    with pytest.raises(EventLogImmutableError):
        Event.objects.filter(blog=blog).update(actor="x")
    with pytest.raises(EventLogImmutableError):
        Event.objects.filter(blog=blog).delete()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE liveblog_event SET actor = 'mallory'", "DELETE FROM liveblog_event"],
)
def test_the_database_refuses_raw_updates_and_deletes(blog, statement: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Event.objects.filter(blog=blog, actor="mallory").count() == 0
    assert Event.objects.filter(blog=blog).count() == 2


def test_two_events_can_never_share_a_seq_in_one_blog(blog) -> None:
    first = Event.objects.get(blog=blog, seq=1)
    duplicate = Event(
        blog=blog,
        seq=1,
        type=first.type,
        payload=first.payload,
        occurred_at=first.occurred_at,
        recorded_at=first.recorded_at,
        actor="x",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_deleting_a_blog_with_a_history_is_refused(blog) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        blog.delete()
    commands.entry_publish(blog=blog, body="still here", actor="editor")
