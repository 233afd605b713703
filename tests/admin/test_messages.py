"""Messages speak the form's language: field names as the editor reads them, no refusal where
the editor only asked to see something."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveblog.models import Blog, Entry
from tests.admin.pages import publish_from_desk

pytestmark = pytest.mark.django_db


def test_a_future_time_on_the_desk_says_time_is_in_the_future(
    desk_client: Client, blog: Blog
) -> None:
    later = timezone.localtime(timezone.now() + timedelta(hours=3), ZoneInfo(blog.time_zone))
    page = publish_from_desk(
        desk_client, blog, "Polls close.", occurred_at=later.strftime("%Y-%m-%dT%H:%M")
    ).content.decode()
    assert "Time is in the future" in page
    assert "occurred_at is" not in page and not Entry.objects.exists()


def test_show_what_changes_without_a_reason_shows_the_diff(
    desk_client: Client, entry: Entry
) -> None:
    correct = reverse("admin:liveblog_entry_correct", args=[entry.pk])
    page = desk_client.post(
        correct,
        {
            "based_on_revision": 1,
            "body": "Turnout is 62%.",
            "headline": "",
            "reason": "",
            "_preview": "Show what changes",
        },
    ).content.decode()
    assert 'id="changes"' in page and "<ins>" in page
    assert "This field is required" not in page and "errornote" not in page
    saved = desk_client.post(
        correct, {"based_on_revision": 1, "body": "Turnout is 62%.", "reason": "", "_save": "x"}
    )
    assert "This field is required" in saved.content.decode()
    entry.refresh_from_db()
    assert entry.revision == 1
