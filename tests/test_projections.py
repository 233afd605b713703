"""Whatever editors do, replaying the log gives exactly the projection they see live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveblog import commands, projections
from liveblog.errors import LiveblogError
from liveblog.models import Blog, Entry, EntryRevision

pytestmark = pytest.mark.django_db

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
        st.tuples(st.just("correct"), st.integers(0, 20), _text, _text),
        st.tuples(st.just("retract"), st.integers(0, 20), _text),
        st.tuples(st.sampled_from(["pin", "unpin", "mark", "unmark"]), st.integers(0, 20)),
        st.tuples(st.sampled_from(["close", "open"])),
    ),
    max_size=25,
)


def _snapshot(blog: Blog) -> tuple[list, list, dict]:
    entries = list(Entry.objects.filter(blog=blog).order_by("id").values())
    revisions = list(
        EntryRevision.objects.filter(entry__blog=blog)
        .order_by("entry_id", "number")
        .values("entry_id", "number", "headline", "body", "body_html", "reason", "seq", "actor")
    )
    stream = (
        Blog.objects.filter(pk=blog.pk)
        .values("title", "status", "coverage_start", "coverage_end", "last_seq", "updated_at")
        .get()
    )
    return entries, revisions, stream


def _run(blog: Blog, action: tuple) -> None:
    ids = list(
        Entry.objects.filter(blog=blog).order_by("published_seq").values_list("id", flat=True)
    )
    pick = (lambda n: ids[n % len(ids)]) if ids else None
    name = action[0]
    if name == "publish":
        _, body, headline, key, minutes = action
        commands.entry_publish(
            blog=blog,
            body=body,
            headline=headline,
            key_event=key,
            actor="ed",
            occurred_at=timezone.now() - timedelta(minutes=minutes),
        )
    elif pick is None:
        return
    elif name == "correct":
        commands.entry_correct(entry=pick(action[1]), body=action[2], reason=action[3], actor="ed")
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


def _run_blog_action(blog: Blog, name: str) -> None:
    command = commands.blog_close if name == "close" else commands.blog_open
    command(blog=blog, actor="ed")


class _Rollback(Exception):
    pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=_actions)
def test_rebuilt_projection_equals_the_live_one(db, actions) -> None:
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
            projections.rebuild(blog)
            assert _snapshot(blog) == live
            raise _Rollback
    except _Rollback:
        pass
