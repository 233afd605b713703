"""Membership decides access: a non-member gets nothing of a blog, not even its address."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from liveblog import commands
from liveblog.models import Blog, Event
from tests.admin.pages import desk_page, last_event

pytestmark = pytest.mark.django_db


def test_a_non_member_gets_nothing_of_another_blog(client, outsider, blog, entry):
    client.force_login(outsider)
    blog_pages = [
        desk_page(blog),
        reverse("admin:liveblog_blog_change", args=[blog.pk]),
        reverse("admin:liveblog_blog_preview", args=[blog.pk]),
        reverse("admin:liveblog_blog_status", args=[blog.pk]),
    ]
    entry_pages = [
        reverse(f"admin:liveblog_entry_{name}", args=[entry.pk])
        for name in ("change", "correct", "retract", "flags")
    ]
    event = last_event(blog)
    for url in [*blog_pages, *entry_pages, reverse("admin:liveblog_event_change", args=[event.pk])]:
        assert client.get(url).status_code in (403, 404, 405), url
        assert client.post(url, {"body": "x", "action": "pin", "reason": "x"}).status_code in (
            403,
            404,
        ), url
    assert Blog.objects.get(pk=blog.pk).last_seq == event.seq
    for name in ("blog", "entry", "event"):
        listing = client.get(reverse(f"admin:liveblog_{name}_changelist"))
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 0, name
        assert "Election night" not in listing.content.decode()


def test_view_on_site_reveals_a_draft_s_address_only_to_its_members(client, outsider, editor):
    draft = commands.blog_create(slug="secret-merger-plans", title="Budget", actor="editor")
    draft.members.add(editor)
    entry = commands.entry_publish(blog=draft, body="Embargoed.", actor="editor")
    urls = [
        reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])
        for obj in (draft, entry)
    ]
    client.force_login(outsider)  # staff, in the Editors group, not a member
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "secret-merger-plans" not in response.content.decode()
        assert "secret-merger-plans" not in response.get("Location", "")
    client.force_login(editor)
    assert [client.get(url)["Location"] for url in urls] == [
        "/blogs/secret-merger-plans/",
        f"/blogs/secret-merger-plans/entries/{entry.pk}/",
    ]
    assert client.get(urls[0].replace(f"/{draft.pk}/", "/999999/")).status_code == 404


def test_an_empty_to_field_means_the_primary_key(desk_client, blog, entry):
    # Django looked up a field named "" for ?_to_field= (FieldDoesNotExist, a 500).
    event = last_event(blog)
    for name, pk in (("blog", blog.pk), ("entry", entry.pk), ("event", event.pk)):
        url = reverse(f"admin:liveblog_{name}_change", args=[pk])
        assert desk_client.get(f"{url}?_to_field=").status_code == 200, name


def test_a_member_without_the_editors_permissions_cannot_publish(client, editor, blog):
    editor.groups.clear()
    client.force_login(editor)  # staff and a member, but not in the Editors group
    assert client.get(desk_page(blog)).status_code == 403
    assert client.post(desk_page(blog), {"body": "x"}).status_code == 403
    assert Event.objects.filter(blog=blog).count() == blog.last_seq


def test_a_superuser_sees_every_blog(admin_client, blog):
    response = admin_client.get(reverse("admin:liveblog_blog_changelist"))
    assert "Election night" in response.content.decode()
    assert admin_client.get(desk_page(blog)).status_code == 200
