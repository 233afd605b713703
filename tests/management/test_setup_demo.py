from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import override_settings

from liveblog.models import Blog, Event

pytestmark = pytest.mark.django_db


def test_setup_demo_loads_the_seeds_and_prints_working_credentials(tmp_path) -> None:
    with override_settings(BASE_DIR=tmp_path):
        out = StringIO()
        call_command("setup_demo", stdout=out)
        events = Event.objects.count()
        call_command("setup_demo", stdout=StringIO())  # running it twice is harmless
    password = (tmp_path / "var" / "demo-editor.txt").read_text().strip()
    assert f"password {password!r}" in out.getvalue()
    user = authenticate(username="demo-editor", password=password)
    assert user is not None and user.is_staff
    assert user.groups.filter(name="Editors").exists()
    assert set(Blog.objects.values_list("slug", flat=True)) == {
        "artsakh-september-2023",
        "stepanakert-2023-09-20",
    }
    assert set(user.liveblogs.values_list("slug", flat=True)) == set(
        Blog.objects.values_list("slug", flat=True)
    )
    assert Event.objects.count() == events
    assert get_user_model().objects.filter(username="demo-editor").count() == 1


def test_running_setup_demo_again_keeps_editors_corrections(tmp_path) -> None:
    from liveblog import commands
    from liveblog.models import Entry

    with override_settings(BASE_DIR=tmp_path):
        call_command("setup_demo", stdout=StringIO())
        entry = Entry.objects.filter(blog__slug="stepanakert-2023-09-20").first()
        assert entry is not None
        commands.entry_correct(
            entry=entry, body="Corrected by an editor", reason="typo", actor="demo-editor"
        )
        call_command("setup_demo", stdout=StringIO())
    assert Entry.objects.get(pk=entry.pk).body == "Corrected by an editor"
