"""What the reader-page browser tests share: seed scripts, and steps a reader sees happen."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Server


def opened_blog(slug: str, title: str, **options: object) -> str:
    """The start of a seed script for ``Server.shell``: a London blog opened an hour ago.

    The rest of the script can use ``commands``, ``timedelta``, ``start`` and ``at(minutes)``
    (that many minutes after the blog opened) and ``blog``.
    """
    extra = "".join(f", {name}={value!r}" for name, value in options.items())
    return f"""
from datetime import timedelta
from django.utils import timezone
from liveblog import commands

start = timezone.now() - timedelta(hours=1)
at = lambda minutes: start + timedelta(minutes=minutes)
blog = commands.blog_create(slug={slug!r}, title={title!r}, actor="desk",
                            time_zone="Europe/London", occurred_at=start{extra})
blog = commands.blog_open(blog=blog, actor="desk", occurred_at=start)
"""


def article(page: Page, entry_id: str) -> Locator:
    return page.locator(f'article[data-entry-id="{entry_id}"]')


def entry_ids(page: Page) -> list[str]:
    """The ids of the entries on the page, top first."""
    return page.locator("article[data-entry-id]").evaluate_all(
        "articles => articles.map(article => article.dataset.entryId)"
    )


def publish_then_correct(
    server: Server, page: Page, *, timeout: float | None = None, **options: Any
) -> tuple[dict[str, Any], Locator]:
    """Publish an update in the server process, then correct it, as the reader sees both.

    Published: on top and announced, without a reload; corrected: the new text, the reason and
    the revision. ``timeout`` is how long each may take to reach the page.
    """
    published = server.command(
        "publish",
        slug="election-night",
        headline="Count under way",
        body="Counting has begun in all 650 constituencies.",
        **options,
    )
    entry = article(page, published["id"])
    expect(entry).to_contain_text("Counting has begun in all 650 constituencies.", timeout=timeout)
    expect(page.locator("#timeline-list > article").first).to_have_attribute(
        "data-entry-id", published["id"]
    )
    expect(page.locator("#announcer")).to_have_text("1 new update")

    server.command(
        "correct",
        entry_id=published["id"],
        body="Counting has begun in 649 of the 650 constituencies.",
        reason="One count starts tomorrow.",
    )
    expect(entry.locator(".entry-body")).to_have_text(
        "Counting has begun in 649 of the 650 constituencies.", timeout=timeout
    )
    expect(entry.locator(".notice-corrected")).to_contain_text("One count starts tomorrow.")
    expect(entry).to_have_attribute("data-revision", "2")
    return published, entry
