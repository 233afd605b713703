"""Blogs: created, changed, opened and closed through commands; members saved directly."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from liveblog import commands
from liveblog.models import Blog, Event, Membership
from tests.admin.pages import desk_page, last_event, members_inline, messages_of

pytestmark = pytest.mark.django_db


def test_adding_a_blog_appends_blog_created_and_makes_the_creator_a_member(desk_client, editor):
    response = desk_client.post(
        reverse("admin:liveblog_blog_add"),
        {
            "slug": "flood",
            "title": "Flood",
            "description": "Rising water.\r\nUpdates.",
            "time_zone": "Asia/Yerevan",
        },
    )
    assert response.status_code == 302
    blog = Blog.objects.get(slug="flood")
    assert (blog.status, blog.time_zone, blog.description) == (
        "draft",
        "Asia/Yerevan",
        "Rising water.\nUpdates.",
    )
    event = Event.objects.get(blog=blog)
    assert (event.type, event.actor, event.payload["title"]) == ("blog.created", "editor", "Flood")
    assert list(blog.members.all()) == [editor]


def test_adding_a_blog_refuses_a_taken_slug_and_bad_text(desk_client, blog):
    add = reverse("admin:liveblog_blog_add")
    taken = desk_client.post(add, {"slug": blog.slug, "title": "Again", "time_zone": "UTC"})
    assert taken.status_code == 200 and "already exists" in taken.content.decode()
    bad = desk_client.post(add, {"slug": "bell", "title": "Bell\x07", "time_zone": "UTC"})
    assert bad.status_code == 200 and "invisible control character" in bad.content.decode()
    assert not Blog.objects.filter(slug="bell").exists()


def _change_data(blog: Blog, **changes: object) -> dict[str, object]:
    start = timezone.localtime(blog.coverage_start, blog.zone)
    data: dict[str, object] = {
        "title": blog.title,
        "description": blog.description,
        "time_zone": blog.time_zone,
        "coverage_start_0": start.strftime("%Y-%m-%d"),
        "coverage_start_1": start.strftime("%H:%M:%S"),
        "coverage_end_0": "",
        "coverage_end_1": "",
        "labels": "\n".join(blog.labels),
        **members_inline(blog),
    }
    return {**data, **changes}


def test_changing_a_blog_goes_through_blog_update_and_members_are_saved_directly(
    desk_client, blog, outsider
):
    url = reverse("admin:liveblog_blog_change", args=[blog.pk])
    assert desk_client.get(url).status_code == 200
    before = blog.last_seq
    members = members_inline(blog, [(outsider.pk, "contributor")])
    response = desk_client.post(url, _change_data(blog, **members))
    assert response.status_code == 302
    # Membership is access control, not part of the log; the untouched coverage stays exact.
    assert Blog.objects.get(pk=blog.pk).last_seq == before
    assert set(Membership.objects.filter(blog=blog).values_list("user__username", "role")) == {
        ("editor", "editor"),
        ("outsider", "contributor"),
    }
    desk_client.post(url, _change_data(blog, title="Election night: results"))
    blog.refresh_from_db()
    assert blog.title == "Election night: results"
    event = last_event(blog)
    assert (event.type, event.actor) == ("blog.details_changed", "editor")


def test_coverage_times_are_read_in_the_blogs_time_zone(desk_client, blog):
    url = reverse("admin:liveblog_blog_change", args=[blog.pk])
    times = {
        "coverage_start_0": "2024-07-04",
        "coverage_start_1": "22:00:00",
        "coverage_end_0": "2024-07-05",
        "coverage_end_1": "06:00:00",
    }
    assert desk_client.post(url, _change_data(blog, **times)).status_code == 302
    blog.refresh_from_db()
    assert blog.coverage_start == datetime(2024, 7, 4, 22, tzinfo=blog.zone)
    assert blog.coverage_end == datetime(2024, 7, 5, 6, tzinfo=blog.zone)
    backwards = {**times, "coverage_end_0": "2024-07-03"}
    refused = desk_client.post(url, _change_data(blog, **backwards))
    assert "Coverage cannot end before it starts." in refused.content.decode()


def test_open_and_close_buttons_append_blog_opened_and_blog_closed(desk_client, editor):
    blog = commands.blog_create(slug="storm", title="Storm", actor="editor")
    blog.members.add(editor)
    status = reverse("admin:liveblog_blog_status", args=[blog.pk])
    change = reverse("admin:liveblog_blog_change", args=[blog.pk])
    assert "Open (go live)" in desk_client.get(change).content.decode()
    refused = desk_client.post(status, {"action": "close", "confirmed": "yes"}, follow=True)
    assert "only a live blog can be closed" in " ".join(messages_of(refused))
    opened = desk_client.post(
        status, {"action": "open", "next": desk_page(blog), "confirmed": "yes"}
    )
    assert opened.url == desk_page(blog)
    closed = desk_client.post(
        status, {"action": "close", "next": "https://evil.example/", "confirmed": "yes"}
    )
    assert closed.url == change
    types = list(Event.objects.filter(blog=blog).values_list("type", flat=True))
    assert types == ["blog.created", "blog.opened", "blog.closed"]
    assert all(e.actor == "editor" for e in Event.objects.filter(blog=blog))


def test_the_changelist_actions_open_and_close_blogs(desk_client, editor):
    blog = commands.blog_create(slug="storm", title="Storm", actor="editor")
    blog.members.add(editor)
    changelist = reverse("admin:liveblog_blog_changelist")
    confirm = {"confirmed": "yes", "_selected_action": [blog.pk]}
    desk_client.post(changelist, {"action": "open_blogs", **confirm})
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.LIVE
    desk_client.post(changelist, {"action": "close_blogs", **confirm})
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.CLOSED


def test_blogs_cannot_be_deleted_through_the_admin(admin_client, blog):
    delete = reverse("admin:liveblog_blog_delete", args=[blog.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Blog.objects.filter(pk=blog.pk).exists()
    listing = admin_client.get(reverse("admin:liveblog_blog_changelist"))
    actions = [name for name, _ in listing.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "open_blogs" in actions


def test_editors_choose_the_blog_s_labels_one_per_line(desk_client, blog):
    url = reverse("admin:liveblog_blog_change", args=[blog.pk])
    response = desk_client.post(url, _change_data(blog, labels="Breaking\r\nRumour, Official\r\n"))
    assert response.status_code == 302
    blog.refresh_from_db()
    assert blog.labels == ["Breaking", "Rumour", "Official"]
    event = last_event(blog)
    assert (event.type, event.payload) == ("blog.labels_changed", {"labels": blog.labels})
    twice = desk_client.post(url, _change_data(blog, labels="Breaking\nbreaking"))
    assert twice.status_code == 200 and "names a label twice" in twice.content.decode()


def test_opening_and_closing_ask_first_and_say_what_readers_will_see(desk_client, blog):
    status = reverse("admin:liveblog_blog_status", args=[blog.pk])
    asked = desk_client.post(status, {"action": "close", "next": desk_page(blog)})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Readers will see" in page
    assert "coverage ended at" in page and "no new updates" in page
    assert 'name="confirmed"' in page and desk_page(blog) in page
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.LIVE
    desk_client.post(status, {"action": "close", "confirmed": "yes"})
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.CLOSED
    reopen = desk_client.get(status, {"action": "open"}).content.decode()
    assert "Readers will see the blog <strong>live</strong>" in reopen
    assert "“This page no longer updates” goes away" in reopen
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.CLOSED


def test_the_changelist_actions_ask_first_too(desk_client, blog):
    changelist = reverse("admin:liveblog_blog_changelist")
    asked = desk_client.post(changelist, {"action": "close_blogs", "_selected_action": [blog.pk]})
    page = asked.content.decode()
    assert "Readers will see" in page and 'value="close_blogs"' in page
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.LIVE
    confirmed = {"action": "close_blogs", "_selected_action": [blog.pk], "confirmed": "yes"}
    desk_client.post(changelist, confirmed)
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.CLOSED
