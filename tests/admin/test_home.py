"""The admin says "liveblog"; its home lists the user's blogs with their desks; a new blog
lands on its desk; older entries are found from the desk (pages and a search)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from liveblog import commands
from liveblog.admin.desk import DESK_ENTRIES
from liveblog.models import Blog
from tests.admin.pages import desk_page, messages_of

pytestmark = pytest.mark.django_db


def test_the_admin_says_liveblog(desk_client: Client) -> None:
    page = desk_client.get(reverse("admin:index")).content.decode()
    assert "<title>Your blogs | liveblog</title>" in page
    assert "Django administration" not in page and "Django site admin" not in page
    assert ">liveblog</a>" in page


def test_the_home_lists_the_user_s_blogs_with_links_to_their_desks(
    desk_client: Client, blog: Blog, editor, outsider
) -> None:
    other = commands.blog_create(slug="storm", title="Storm watch", actor="outsider")
    other.members.add(outsider)
    page = desk_client.get(reverse("admin:index")).content.decode()
    assert f'href="{desk_page(blog)}"' in page and blog.title in page
    assert "Storm watch" not in page
    assert "Start a new blog" in page


def test_a_contributor_s_home_lists_their_blogs_but_starts_none(
    contributor_client: Client, blog: Blog
) -> None:
    page = contributor_client.get(reverse("admin:index")).content.decode()
    assert f'href="{desk_page(blog)}"' in page and "contributor" in page
    assert "Start a new blog" not in page


def test_creating_a_blog_lands_on_its_desk(desk_client: Client) -> None:
    sent = desk_client.post(
        reverse("admin:liveblog_blog_add"),
        {"slug": "flood", "title": "Flood", "description": "", "time_zone": "UTC"},
    )
    blog = Blog.objects.get(slug="flood")
    assert sent.status_code == 302 and sent["Location"] == desk_page(blog)
    landed = desk_client.get(sent["Location"])
    assert any("write its first updates here" in m for m in messages_of(landed))


def test_older_entries_are_reached_by_pages_and_by_search(desk_client: Client, blog: Blog) -> None:
    for number in range(DESK_ENTRIES + 5):
        word = "turnout" if number == 2 else "update"
        commands.entry_publish(blog=blog, body=f"{word} number {number}", actor="editor")
    first = desk_client.get(desk_page(blog)).content.decode()
    assert "update number 54" in first and "update number 0" not in first
    assert "page=2" in first and "Older" in first
    older = desk_client.get(desk_page(blog), {"page": 2}).content.decode()
    assert "update number 0" in older and "update number 54" not in older
    found = desk_client.get(desk_page(blog), {"q": "Turnout"}).content.decode()
    assert "turnout number 2" in found and "update number 3<" not in found
    assert "1 found" in found
    none = desk_client.get(desk_page(blog), {"q": "volcano"}).content.decode()
    assert "No entry has “volcano”" in none
