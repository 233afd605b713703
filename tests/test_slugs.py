"""Slugs: one rule everywhere; a blog named before the rule breaks nothing and can be renamed."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveblog import commands, slugs
from liveblog.checks import check_blog_slugs
from liveblog.errors import InvalidEventError, InvalidTransitionError
from liveblog.models import Blog, Event
from tests.admin.pages import members_inline

pytestmark = pytest.mark.django_db

BAD = "Stepanakert 20/9"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("stepanakert-2023-09-20", True),
        ("Election_Night_2024", True),
        (BAD, False),
        ("stepanakert/20", False),
        ("nagorno\u2011karabakh", False),  # a non-breaking hyphen
        ("r\u00e9sum\u00e9", False),
        ("a" * 101, False),
        ("", False),
    ],
)
def test_a_slug_is_what_the_url_converter_accepts(value: str, valid: bool) -> None:
    assert slugs.is_valid(value) is valid


def test_a_bad_slug_is_refused_with_a_suggestion() -> None:
    with pytest.raises(InvalidEventError) as caught:
        commands.blog_create(slug=BAD, title="Stepanakert", actor="editor")
    assert caught.value.field == "slug"
    assert "'stepanakert-209'" in caught.value.message
    assert not Blog.objects.exists()


def test_the_importer_refuses_a_bad_slug_before_reading_any_file(tmp_path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("20 Sep 2023, 10:00\n\nAn update.\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_liveblog", str(page), "--slug", BAD, stdout=StringIO())
    message = str(caught.value)
    assert message.startswith("--slug: The slug 'Stepanakert 20/9' cannot be part of a web")
    assert "'stepanakert-209'" in message and "Nothing was imported" in message
    assert not Blog.objects.exists()


def test_the_admin_refuses_a_bad_slug_with_the_same_message(client: Client, editor: Any) -> None:
    client.force_login(editor)
    response = client.post(
        reverse("admin:liveblog_blog_add"),
        {"slug": BAD, "title": "Stepanakert", "description": "", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert errors == [f"The slug {BAD!r} cannot be part of a web address. Use only the letters "
                      "a-z and A-Z, digits, hyphens and underscores, for example "
                      "'stepanakert-209'."]  # fmt: skip
    assert not Blog.objects.exists()


# --- A blog from before the rule ------------------------------------------------------------


@pytest.fixture
def old_blog(monkeypatch: pytest.MonkeyPatch) -> Blog:
    """A live blog created when slugs were not checked, as an existing database holds one."""
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(slugs, "check", lambda value: None)
        blog = commands.blog_create(slug=BAD, title="Stepanakert, 20 September", actor="editor")
    blog = commands.blog_open(blog=blog, actor="editor")
    commands.entry_publish(blog=blog, body="An update.", actor="editor")
    return blog


def test_one_blog_without_an_address_leaves_the_lists_of_blogs_up(
    old_blog: Blog, blog: Blog, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert blog.title in page and old_blog.title not in page
    assert f"slug {BAD!r}, which no URL can hold" in caplog.text
    assert client.get(f"/blogs/{blog.slug}/feed/").status_code == 200
    listed = client.get("/api/blogs/").json()["results"]
    assert {item["slug"] for item in listed} == {blog.slug, BAD}


def test_the_system_check_names_the_blog_and_where_to_rename_it(old_blog: Blog, blog: Blog) -> None:
    assert check_blog_slugs(databases=None) == []  # only when asked to look at the data
    (warning,) = check_blog_slugs(databases=["default"])
    assert warning.id == "liveblog.W001"
    assert BAD in warning.msg and old_blog.title in warning.msg
    hint = warning.hint or ""
    assert reverse("admin:liveblog_blog_change", args=[old_blog.pk]) in hint
    assert "'stepanakert-209'" in hint
    out = StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=out)
    assert "liveblog.W001" in out.getvalue()


def test_a_log_from_before_the_rule_still_rebuilds(old_blog: Blog) -> None:
    call_command("rebuild_projections", stdout=StringIO())
    assert Blog.objects.get(pk=old_blog.pk).slug == BAD


def test_an_editor_renames_it_in_the_admin_with_a_blog_renamed_event(
    old_blog: Blog, editor: Any
) -> None:
    old_blog.members.add(editor)
    client = Client()
    client.force_login(editor)
    url = reverse("admin:liveblog_blog_change", args=[old_blog.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert "slug" in form.fields  # editable: its address never worked
    assert "View on site" not in page.content.decode()  # it has no page to view
    start = timezone.localtime(old_blog.coverage_start, old_blog.zone)
    unchanged = {
        "title": old_blog.title,
        "description": "",
        "time_zone": old_blog.time_zone,
        "coverage_start_0": start.strftime("%Y-%m-%d"),
        "coverage_start_1": start.strftime("%H:%M:%S"),
        "coverage_end_0": "",
        "coverage_end_1": "",
        "labels": "\n".join(old_blog.labels),
        **members_inline(old_blog),
    }
    refused = client.post(url, {**unchanged, "slug": BAD})
    assert "cannot be part of a web address" in str(refused.context["adminform"].form.errors)
    old_blog.refresh_from_db()
    before = old_blog.last_seq
    response = client.post(url, {**unchanged, "slug": "stepanakert-20-september"})
    assert response.status_code == 302
    old_blog.refresh_from_db()
    assert old_blog.slug == "stepanakert-20-september"
    (renamed,) = Event.objects.filter(blog=old_blog, seq__gt=before)
    assert (renamed.type, renamed.payload, renamed.actor) == (
        "blog.renamed",
        {"slug": "stepanakert-20-september"},
        "editor",
    )
    assert old_blog.title in Client().get("/").content.decode()
    assert check_blog_slugs(databases=["default"]) == []
    # The rename is in the log: a rebuild keeps it.
    call_command("rebuild_projections", stdout=StringIO())
    assert Blog.objects.get(pk=old_blog.pk).slug == "stepanakert-20-september"


def test_only_drafts_and_blogs_without_an_address_can_be_renamed(blog: Blog, editor: Any) -> None:
    with pytest.raises(InvalidTransitionError, match="its address stays"):
        commands.blog_rename(blog=blog, slug="another-name", actor="editor")
    draft = commands.blog_create(slug="draft-name", title="Draft", actor="editor")
    with pytest.raises(InvalidEventError, match="cannot be part of a web address"):
        commands.blog_rename(blog=draft, slug="draft name", actor="editor")
    with pytest.raises(Exception, match="already exists"):
        commands.blog_rename(blog=draft, slug=blog.slug, actor="editor")
    renamed = commands.blog_rename(blog=draft, slug="better-name", actor="editor")
    assert renamed.slug == "better-name"
    client = Client()
    client.force_login(editor)
    form = client.get(reverse("admin:liveblog_blog_change", args=[blog.pk])).context["adminform"]
    assert "slug" not in form.form.fields  # a live blog's address is shown, not editable


def test_view_on_site_of_a_blog_without_an_address_is_a_404(
    old_blog: Blog, admin_client: Client
) -> None:
    content_type = reverse("admin:view_on_site", args=[_content_type(Blog), old_blog.pk])
    assert admin_client.get(content_type).status_code == 404
    desk = admin_client.get(reverse("admin:liveblog_blog_desk", args=[old_blog.pk]))
    assert desk.status_code == 200


def _content_type(model: type) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk
