"""End to end: a reader's page follows the blog live, across a server restart."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PROJECT, Server
from tests.browser.reader import article, entry_ids, publish_then_correct

pytestmark = pytest.mark.browser

# The README's screenshot. Its times change on every run, so it is rewritten only when missing
# or asked for: LIVEBLOG_SCREENSHOT=1 .venv/bin/pytest tests/browser/test_reader_page.py
SCREENSHOT = PROJECT / "docs" / "reader-page.png"

SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from liveblog import commands

now = timezone.now()
start = now - timedelta(hours=2)
blog = commands.blog_create(
    slug="election-night",
    title="Election night: results as they come in",
    description="Live coverage of the parliamentary election: turnout, exit polls and the count.",
    time_zone="Europe/London",
    actor="desk",
    occurred_at=start,
)
blog = commands.blog_open(blog=blog, actor="desk", occurred_at=start)
def publish(minutes, body, **options):
    return commands.entry_publish(
        blog=blog, body=body, actor="desk", occurred_at=now - timedelta(minutes=minutes), **options
    )
publish(110, "Polling stations opened at 07:00 and close at **22:00**.", headline="Polls open")
publish(80, "Turnout at midday stood at 31%, up from 27% at the last election.",
        headline="Turnout at midday: 31%", key_event=True)
wrong = publish(50, "An exit poll circulating online shows a landslide.", headline="Exit poll")
commands.entry_retract(entry=wrong, reason="The figures came from an unverified source.",
                       actor="desk")
publish(40, "Results appear here as each constituency declares. Follow the "
        "[Atom feed](/blogs/election-night/feed/) or switch to **Key events**.",
        headline="How to follow tonight", pinned=True)
fixed = publish(20, "Turnout in the north reached 48% by 18:00.", headline="Turnout rises")
commands.entry_correct(entry=fixed, body="Turnout in the north reached 46% by 18:00.",
                       reason="An earlier version gave the wrong figure.", actor="desk")
print(json.dumps({"last_seq": blog.__class__.objects.get(pk=blog.pk).last_seq}))
"""


def test_the_reader_page_follows_the_blog_live_and_across_a_server_restart(
    server: Server, page: Page, tmp_path: Path
) -> None:
    seeded = json.loads(server.shell(SEED))
    server.start()
    page.goto(f"{server.url}/blogs/election-night/")
    config = json.loads(page.locator("#liveblog-config").text_content() or "{}")
    assert config["lastSeq"] == seeded["last_seq"]
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    page.evaluate("window.__notReloaded = true")

    # Published in the server process: pushed, and shown at the top without a reload.
    # Corrected: the text is replaced and the reason shown, with the earlier versions linked.
    published, entry = publish_then_correct(server, page, key_event=True)
    expect(entry.locator(".notice-corrected")).to_contain_text("Corrected at")
    expect(entry.locator(".notice-corrected").get_by_text("Earlier versions")).to_have_attribute(
        "href", f"/blogs/election-night/entries/{published['id']}/#revisions"
    )
    expect(entry.locator(".notice-corrected").get_by_text("All corrections")).to_have_attribute(
        "href", "/blogs/election-night/corrections/"
    )
    page.screenshot(path=tmp_path / SCREENSHOT.name)
    if os.environ.get("LIVEBLOG_SCREENSHOT") == "1" or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / SCREENSHOT.name, SCREENSHOT)

    # The server goes away; an entry is published meanwhile (from another process); the
    # server comes back on the same address and the reader gets the entry without a reload.
    server.stop()
    expect(page.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    while_down = server.shell(
        "from liveblog import commands; from liveblog.models import Blog;"
        "entry = commands.entry_publish(blog=Blog.objects.get(slug='election-night'),"
        " headline='First result', body='The first seat has declared.', actor='desk');"
        "print(entry.id)"
    ).strip()
    server.start()
    expect(article(page, while_down)).to_contain_text(
        "The first seat has declared.", timeout=20_000
    )
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")

    # Nothing twice, nothing lost, and still the same page.
    ids = entry_ids(page)
    assert len(ids) == len(set(ids)) == 7
    assert ids.index(while_down) < ids.index(published["id"])
    assert page.evaluate("window.__notReloaded") is True
