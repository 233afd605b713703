"""Entries: correct, retract, pin and mark key events through commands; read-only pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liveblog import commands
from liveblog.forms import word_diff
from liveblog.models import Blog, Entry, Event
from tests.admin.pages import desk_page, last_event, messages_of

pytestmark = pytest.mark.django_db


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
    assert saved.status_code == 302 and saved.url == desk_page(entry.blog)
    entry.refresh_from_db()
    assert (entry.revision, entry.body, entry.correction_reason) == (
        2,
        "Turnout is 66% <b>.",
        "Misread figure",
    )
    assert last_event(entry.blog).actor == "editor"


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
    assert last_event(entry.blog).type == "entry.retracted"
    assert "can no longer be changed" in desk_client.get(url).content.decode()


def test_pin_unpin_mark_and_unmark_key_event(desk_client, entry):
    url = reverse("admin:liveblog_entry_flags", args=[entry.pk])
    # Each button appends its event.
    for action, appended in [
        ("pin", "pinned"),
        ("unpin", "unpinned"),
        ("mark_key", "marked_key_event"),
        ("unmark_key", "unmarked_key_event"),
    ]:
        response = desk_client.post(url, {"action": action})
        assert response.status_code == 302 and response.url == desk_page(entry.blog)
        assert last_event(entry.blog).type == f"entry.{appended}"
    refused = desk_client.post(url, {"action": "unpin"}, follow=True)
    assert "not pinned" in " ".join(messages_of(refused))
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


def test_word_diff_marks_words_and_escapes_text() -> None:
    assert word_diff("a <b> c", "a <b> d") == "a &lt;b&gt; <del>c</del><ins>d</ins>"
    assert word_diff("same", "same") == "same"
