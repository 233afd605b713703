from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from liveblog import commands
from liveblog.models import Entry

pytestmark = pytest.mark.django_db


def test_rebuild_projections_restores_a_damaged_projection(blog) -> None:
    entry = commands.entry_publish(blog=blog, body="Original", actor="editor")
    commands.entry_correct(entry=entry, body="Corrected", reason="fix", actor="editor")
    Entry.objects.filter(pk=entry.pk).update(body="tampered", revision=9)
    out = StringIO()
    call_command("rebuild_projections", blog.slug, stdout=out)
    assert "Replayed 4 events" in out.getvalue()
    restored = Entry.objects.get(pk=entry.pk)
    assert (restored.body, restored.revision) == ("Corrected", 2)


def test_rebuild_projections_names_an_unknown_blog() -> None:
    with pytest.raises(CommandError, match="no blog called 'nope'"):
        call_command("rebuild_projections", "nope")
