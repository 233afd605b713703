"""The editors' admin: every write goes through commands, and membership decides access."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveblog import commands
from liveblog.forms import word_diff
from liveblog.models import Blog, Entry, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors_group() -> Group:
    return Group.objects.get(name="Editors")


@pytest.fixture
def desk_client(client: Client, editor, editors_group: Group) -> Client:
    editor.groups.add(editors_group)
    client.force_login(editor)
    return client


@pytest.fixture
def outsider(django_user_model, editors_group: Group):  # type: ignore[no-untyped-def]
    """A staff editor in the Editors group who is not a member of the fixture blog."""
    user = django_user_model.objects.create_user(username="outsider", is_staff=True)
    user.groups.add(editors_group)
    return user


@pytest.fixture
def entry(blog: Blog) -> Entry:
    return commands.entry_publish(blog=blog, body="Turnout is 60%.", actor="alice")


def _desk(blog: Blog) -> str:
    return reverse("admin:liveblog_blog_desk", args=[blog.pk])


def _last_event(blog: Blog) -> Event:
    return Event.objects.filter(blog=blog).order_by("-seq").first()


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in response.context["messages"]]


# --- The live desk --------------------------------------------------------------------


def test_the_desk_shows_the_form_the_preview_and_the_latest_entries(desk_client, blog, entry):
    response = desk_client.get(_desk(blog))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="body"' in html and "Preview" in html and "Turnout is 60%." in html
    assert reverse("admin:liveblog_entry_correct", args=[entry.pk]) in html
    assert f"{reverse('admin:liveblog_event_changelist')}?blog__id__exact={blog.pk}" in html


def test_publishing_from_the_desk_appends_an_event_and_returns_to_the_desk(desk_client, blog):
    response = desk_client.post(
        _desk(blog),
        {
            "entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e001",
            "body": "Polls have **closed**.\r\n\r\nCounting starts.",
            "headline": "Polls close",
            "key_event": "on",
            "_publish": "Publish",
        },
    )
    assert response.status_code == 302 and response.url == _desk(blog)
    event = _last_event(blog)
    assert (event.type, event.actor) == ("entry.published", "editor")
    entry = Entry.objects.get(pk=event.entry_id)
    # The browser's CRLF line ends are stored as LF.
    assert entry.body == "Polls have **closed**.\n\nCounting starts."
    assert (entry.headline, entry.key_event, entry.pinned) == ("Polls close", True, False)
    page = desk_client.get(response.url)
    assert "Published" in " ".join(_messages(page))
    assert "Counting starts." in page.content.decode()


def test_a_time_without_zone_is_read_in_the_blogs_time_zone(desk_client, blog):
    local = (timezone.now() - timedelta(hours=2)).astimezone(blog.zone).replace(tzinfo=None)
    desk_client.post(
        _desk(blog),
        {
            "entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e002",
            "body": "Earlier report",
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    entry = Entry.objects.get(body="Earlier report")
    expected = local.replace(second=0, microsecond=0, tzinfo=blog.zone)
    assert entry.occurred_at == expected


def test_a_form_sent_twice_publishes_once(desk_client, blog):
    data = {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e003", "body": "Once only"}
    desk_client.post(_desk(blog), data)
    second = desk_client.post(_desk(blog), data, follow=True)
    assert Entry.objects.filter(body="Once only").count() == 1
    assert "already published" in " ".join(_messages(second))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": "Bell\x07"}, "invisible control character"),
        ({"body": "Tomorrow", "occurred_at": "2999-01-01T10:00"}, "in the future"),
    ],
)
def test_the_desk_refuses_bad_input_as_form_errors_and_writes_nothing(
    desk_client, blog, data, message
):
    before = blog.last_seq
    response = desk_client.post(
        _desk(blog), {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e004", **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was published" in response.content.decode()
    assert Event.objects.filter(blog=blog).count() == before


def test_the_preview_renders_sanitized_html_and_writes_nothing(desk_client, blog):
    url = reverse("admin:liveblog_blog_preview", args=[blog.pk])
    response = desk_client.post(url, {"body": "**Bold** <script>alert(1)</script>"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<strong>Bold</strong>" in html and "<script" not in html
    assert desk_client.get(url).status_code == 405
    # Without JavaScript, the desk's Preview button renders the same on the page.
    page = desk_client.post(
        _desk(blog),
        {"entry_id": "9b0c3c5e-8d7e-4f63-9a53-0f5cf1a9e005", "body": "_Draft_", "_preview": "1"},
    )
    assert "<em>Draft</em>" in page.content.decode()
    assert not Entry.objects.filter(blog=blog).exists()


def test_the_preview_endpoint_needs_the_csrf_token(editor, editors_group, blog):
    editor.groups.add(editors_group)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("admin:liveblog_blog_preview", args=[blog.pk])
    assert client.post(url, {"body": "x"}).status_code == 403


# --- Correct, retract, pin, key event -------------------------------------------------


def test_a_correction_records_the_reason_and_shows_what_changes(desk_client, entry):
    url = reverse("admin:liveblog_entry_correct", args=[entry.pk])
    form = desk_client.get(url)
    assert form.status_code == 200
    assert "Turnout is 60%." in form.content.decode()
    assert 'name="based_on_revision" value="1"' in form.content.decode()
    data = {"body": "Turnout is 66% <b>.", "headline": "", "reason": "Misread figure"}
    shown = desk_client.post(url, {**data, "based_on_revision": "1", "_preview": "1"})
    assert "<del>60%.</del><ins>66% &lt;b&gt;.</ins>" in shown.content.decode()
    assert Entry.objects.get(pk=entry.pk).revision == 1
    saved = desk_client.post(url, {**data, "based_on_revision": "1", "_save": "1"})
    assert saved.status_code == 302 and saved.url == _desk(entry.blog)
    entry.refresh_from_db()
    assert (entry.revision, entry.body, entry.correction_reason) == (
        2,
        "Turnout is 66% <b>.",
        "Misread figure",
    )
    assert _last_event(entry.blog).actor == "editor"


def test_a_stale_correction_is_refused_with_the_newer_text_and_nothing_overwritten(
    desk_client, entry
):
    url = reverse("admin:liveblog_entry_correct", args=[entry.pk])
    desk_client.get(url)  # the editor opens the form at revision 1 ...
    commands.entry_correct(  # ... and a colleague corrects the entry meanwhile
        entry=entry, body="Turnout is 61%.", reason="Update", actor="bob", based_on_revision=1
    )
    last_seq = Blog.objects.get(pk=entry.blog_id).last_seq
    response = desk_client.post(
        url,
        {"body": "Turnout is 70%.", "headline": "", "reason": "Mine", "based_on_revision": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed since you opened it" in html and "Nothing was saved" in html
    assert "Turnout is 61%." in html  # the newer text
    assert "Turnout is 70%." in html  # the editor's text is kept
    assert 'name="based_on_revision" value="2"' in html  # and now builds on the newer one
    assert Blog.objects.get(pk=entry.blog_id).last_seq == last_seq
    assert Entry.objects.get(pk=entry.pk).body == "Turnout is 61%."
    # Having seen the newer text, the editor can save on top of it.
    again = desk_client.post(
        url,
        {"body": "Turnout is 70%.", "headline": "", "reason": "Mine", "based_on_revision": "2"},
    )
    assert again.status_code == 302
    assert Entry.objects.get(pk=entry.pk).revision == 3


def test_an_identical_correction_is_a_form_error(desk_client, entry):
    url = reverse("admin:liveblog_entry_correct", args=[entry.pk])
    response = desk_client.post(
        url, {"body": entry.body, "headline": "", "reason": "x", "based_on_revision": "1"}
    )
    assert response.status_code == 200
    assert "identical to the current text" in response.content.decode()


def test_retracting_records_the_reason_and_refuses_a_stale_base(desk_client, entry):
    url = reverse("admin:liveblog_entry_retract", args=[entry.pk])
    assert desk_client.get(url).status_code == 200
    commands.entry_correct(entry=entry, body="Turnout is 62%.", reason="Update", actor="bob")
    stale = desk_client.post(url, {"reason": "Unverified", "based_on_revision": "1"})
    assert stale.status_code == 200 and "Turnout is 62%." in stale.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.PUBLISHED
    done = desk_client.post(url, {"reason": "Unverified", "based_on_revision": "2"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.is_retracted and entry.retraction_reason == "Unverified"
    assert _last_event(entry.blog).type == "entry.retracted"
    assert "can no longer be changed" in desk_client.get(url).content.decode()


def test_pin_unpin_mark_and_unmark_key_event(desk_client, entry):
    url = reverse("admin:liveblog_entry_flags", args=[entry.pk])
    for action in ("pin", "unpin", "mark_key", "unmark_key"):
        response = desk_client.post(url, {"action": action})
        assert response.status_code == 302 and response.url == _desk(entry.blog)
    types = list(Event.objects.filter(entry_id=entry.pk).values_list("type", flat=True))
    assert types == [
        "entry.published",
        "entry.pinned",
        "entry.unpinned",
        "entry.marked_key_event",
        "entry.unmarked_key_event",
    ]
    refused = desk_client.post(url, {"action": "unpin"}, follow=True)
    assert "not pinned" in " ".join(_messages(refused))
    assert Event.objects.filter(entry_id=entry.pk).count() == 5
    assert desk_client.post(url, {"action": "delete"}).status_code == 400
    assert desk_client.get(url).status_code == 405


def test_the_entry_page_lists_every_revision(desk_client, entry):
    commands.entry_correct(entry=entry, body="Turnout is 64%.", reason="Recount", actor="bob")
    response = desk_client.get(reverse("admin:liveblog_entry_change", args=[entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Turnout is 60%." in html and "Turnout is 64%." in html and "Recount" in html
    assert reverse("admin:liveblog_entry_correct", args=[entry.pk]) in html


def test_the_entry_list_is_filtered_by_blog(desk_client, blog, entry, editor):
    other = commands.blog_create(slug="storm", title="Storm", actor="editor")
    other.members.add(editor)
    commands.entry_publish(blog=other, body="Wind", actor="editor")
    changelist = reverse("admin:liveblog_entry_changelist")
    assert desk_client.get(changelist).context["cl"].result_count == 2
    of_blog = desk_client.get(changelist, {"blog__id__exact": blog.pk})
    assert list(of_blog.context["cl"].result_list) == [entry]


def test_entries_cannot_be_added_changed_or_deleted_through_the_default_admin(admin_client, entry):
    assert admin_client.get(reverse("admin:liveblog_entry_add")).status_code == 403
    change = reverse("admin:liveblog_entry_change", args=[entry.pk])
    assert admin_client.post(change, {"body": "Hacked"}).status_code == 403
    delete = reverse("admin:liveblog_entry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Entry.objects.get(pk=entry.pk).body == "Turnout is 60%."


# --- Access ---------------------------------------------------------------------------


def test_a_non_member_gets_nothing_of_another_blog(client, outsider, blog, entry):
    client.force_login(outsider)
    blog_pages = [
        _desk(blog),
        reverse("admin:liveblog_blog_change", args=[blog.pk]),
        reverse("admin:liveblog_blog_preview", args=[blog.pk]),
        reverse("admin:liveblog_blog_status", args=[blog.pk]),
    ]
    entry_pages = [
        reverse(f"admin:liveblog_entry_{name}", args=[entry.pk])
        for name in ("change", "correct", "retract", "flags")
    ]
    event = _last_event(blog)
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
    event = _last_event(blog)
    for name, pk in (("blog", blog.pk), ("entry", entry.pk), ("event", event.pk)):
        url = reverse(f"admin:liveblog_{name}_change", args=[pk])
        assert desk_client.get(f"{url}?_to_field=").status_code == 200, name


def test_a_member_without_the_editors_permissions_cannot_publish(client, editor, blog):
    editor.groups.clear()
    client.force_login(editor)  # staff and a member, but not in the Editors group
    assert client.get(_desk(blog)).status_code == 403
    assert client.post(_desk(blog), {"body": "x"}).status_code == 403
    assert Event.objects.filter(blog=blog).count() == blog.last_seq


def test_a_superuser_sees_every_blog(admin_client, blog):
    response = admin_client.get(reverse("admin:liveblog_blog_changelist"))
    assert "Election night" in response.content.decode()
    assert admin_client.get(_desk(blog)).status_code == 200


# --- Blogs ----------------------------------------------------------------------------


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
        "members": [user.pk for user in blog.members.all()],
    }
    return {**data, **changes}


def test_changing_a_blog_goes_through_blog_update_and_members_are_saved_directly(
    desk_client, blog, outsider
):
    url = reverse("admin:liveblog_blog_change", args=[blog.pk])
    assert desk_client.get(url).status_code == 200
    before = blog.last_seq
    members = [*blog.members.values_list("pk", flat=True), outsider.pk]
    response = desk_client.post(url, _change_data(blog, members=members))
    assert response.status_code == 302
    # Membership is access control, not part of the log; the untouched coverage stays exact.
    assert Blog.objects.get(pk=blog.pk).last_seq == before
    assert set(blog.members.values_list("username", flat=True)) == {"editor", "outsider"}
    desk_client.post(url, _change_data(blog, title="Election night: results"))
    blog.refresh_from_db()
    assert blog.title == "Election night: results"
    event = _last_event(blog)
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
    refused = desk_client.post(status, {"action": "close"}, follow=True)
    assert "only a live blog can be closed" in " ".join(_messages(refused))
    opened = desk_client.post(status, {"action": "open", "next": _desk(blog)})
    assert opened.url == _desk(blog)
    closed = desk_client.post(status, {"action": "close", "next": "https://evil.example/"})
    assert closed.url == change
    types = list(Event.objects.filter(blog=blog).values_list("type", flat=True))
    assert types == ["blog.created", "blog.opened", "blog.closed"]
    assert all(e.actor == "editor" for e in Event.objects.filter(blog=blog))


def test_the_changelist_actions_open_and_close_blogs(desk_client, editor):
    blog = commands.blog_create(slug="storm", title="Storm", actor="editor")
    blog.members.add(editor)
    changelist = reverse("admin:liveblog_blog_changelist")
    desk_client.post(changelist, {"action": "open_blogs", "_selected_action": [blog.pk]})
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.LIVE
    desk_client.post(changelist, {"action": "close_blogs", "_selected_action": [blog.pk]})
    assert Blog.objects.get(pk=blog.pk).status == Blog.Status.CLOSED


def test_blogs_cannot_be_deleted_through_the_admin(admin_client, blog):
    delete = reverse("admin:liveblog_blog_delete", args=[blog.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Blog.objects.filter(pk=blog.pk).exists()
    listing = admin_client.get(reverse("admin:liveblog_blog_changelist"))
    actions = [name for name, _ in listing.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "open_blogs" in actions


def test_a_draft_blogs_desk_warns_and_offers_to_open_it(desk_client, editor):
    draft = commands.blog_create(slug="storm", title="Storm", actor="editor")
    draft.members.add(editor)
    html = desk_client.get(_desk(draft)).content.decode()
    assert "readers cannot see it yet" in html and "Open (go live)" in html


# --- The event log --------------------------------------------------------------------


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


def test_word_diff_marks_words_and_escapes_text() -> None:
    assert word_diff("a <b> c", "a <b> d") == "a &lt;b&gt; <del>c</del><ins>d</ins>"
    assert word_diff("same", "same") == "same"
