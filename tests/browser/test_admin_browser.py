"""End to end: the demo editor logs in to the admin and publishes from the live desk.

Reuses the reader test's real server (uvicorn, its own SQLite file) and Chromium page from
``conftest``; data is set up and checked through ``manage.py shell`` in another process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

PASSWORD = "demo-editor-e2e-password"

# The demo editor as setup_demo makes it: staff, in "Editors", a member of every blog.
SETUP = f"""
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from liveblog import commands
from liveblog.management.commands.setup_demo import DEMO_USERNAME
from liveblog.models import Blog

blog = commands.blog_create(
    slug="election-night", title="Election night", time_zone="Europe/London", actor="desk"
)
commands.blog_open(blog=blog, actor="desk")
user = get_user_model().objects.create_user(DEMO_USERNAME, password={PASSWORD!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
user.liveblogs.add(*Blog.objects.all())
print(json.dumps({{"blog": blog.pk, "username": DEMO_USERNAME}}))
"""

CHECK = """
import json
from liveblog.models import Entry, Event

entry = Entry.objects.get()
event = Event.objects.get(entry_id=entry.id)
print(json.dumps({"body": entry.body, "headline": entry.headline, "key_event": entry.key_event,
                  "type": event.type, "actor": event.actor}))
"""


def test_the_demo_editor_publishes_an_update_from_the_live_desk(
    server: Server, page: Page, browser: Browser, tmp_path: Path
) -> None:
    setup = json.loads(server.shell(SETUP))
    server.start()
    desk = f"/admin/liveblog/blog/{setup['blog']}/desk/"

    # A reader follows the blog in another window while the editor works.
    reader = browser.new_context().new_page()
    reader.goto(f"{server.url}/blogs/election-night/")
    expect(reader.locator("#connection")).to_have_attribute("data-state", "open")

    page.goto(f"{server.url}/admin/login/?next={desk}")
    page.fill("#id_username", setup["username"])
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{server.url}{desk}")
    # desk.js is deferred: typing before it runs would go unseen by the preview.
    page.wait_for_load_state("load")
    expect(page.locator("#desk-entries")).to_contain_text("Nothing published yet.")

    body = "Polls have closed in **Leeds**; the count starts at 23:00."
    page.fill("#id_body", body)
    # The preview follows the typing, rendered by the server as readers will see it.
    expect(page.locator("#desk-preview-body strong")).to_have_text("Leeds")
    page.fill("#id_headline", "Polls close")
    expect(page.locator("#desk-preview-headline")).to_have_text("Polls close")
    page.check("#id_key_event")
    page.click("#desk-publish")

    expect(page).to_have_url(f"{server.url}{desk}")
    expect(page.locator(".messagelist")).to_contain_text("Published")
    latest = page.locator("#desk-entries tbody tr").first
    expect(latest).to_contain_text("Polls close")
    expect(latest).to_contain_text("the count starts at 23:00")
    expect(latest).to_contain_text("Key event")
    # Ready for the next update: an empty form with a fresh entry id.
    expect(page.locator("#id_body")).to_have_value("")
    page.screenshot(path=str(tmp_path / "desk.png"), full_page=True)

    expect(reader.get_by_text("the count starts at 23:00")).to_be_visible()
    stored = json.loads(server.shell(CHECK))
    assert stored == {
        "body": body,
        "headline": "Polls close",
        "key_event": True,
        "type": "entry.published",
        "actor": "demo-editor",
    }
