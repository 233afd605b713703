"""The event log in the admin: read-only for everyone, filtered and searched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liveblog.models import Event

pytestmark = pytest.mark.django_db


def test_the_log_cannot_be_changed_through_the_admin_even_by_a_superuser(admin_client, entry):
    event = Event.objects.get(entry_id=entry.pk)
    assert admin_client.get(reverse("admin:liveblog_event_add")).status_code == 403
    change = reverse("admin:liveblog_event_change", args=[event.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and "Turnout is 60%." in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    posted = admin_client.post(change, {"actor": "mallory", "type": "entry.retracted"})
    assert posted.status_code == 403
    delete = reverse("admin:liveblog_event_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    listing = admin_client.get(reverse("admin:liveblog_event_changelist"))
    assert listing.context["action_form"] is None  # no actions, so no delete_selected
    unchanged = Event.objects.get(pk=event.pk)
    assert (unchanged.actor, unchanged.type) == ("alice", "entry.published")


def test_the_log_filters_by_blog_type_and_actor_and_searches(desk_client, blog, entry):
    changelist = reverse("admin:liveblog_event_changelist")
    by_type = desk_client.get(changelist, {"blog__id__exact": blog.pk, "type": "entry.published"})
    assert [e.entry_id for e in by_type.context["cl"].result_list] == [entry.pk]
    by_actor = desk_client.get(changelist, {"actor": "alice"})
    assert by_actor.context["cl"].result_count == 1
    by_text = desk_client.get(changelist, {"q": "Turnout"})
    assert by_text.context["cl"].result_count == 1
    by_entry = desk_client.get(changelist, {"q": str(entry.pk)[:8]})
    assert by_entry.context["cl"].result_count == 1
    of_entry = desk_client.get(changelist, {"entry_id": str(entry.pk)})
    assert of_entry.context["cl"].result_count == 1
