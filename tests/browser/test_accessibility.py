"""Accessibility checked by a machine: axe-core (from npm, package-lock.json) in Chromium.

No serious or critical violation on the reader page, a permalink, the key events view, the
desk and the login page; and a keyboard alone reaches the updates, their share buttons and the
new updates button, which Enter works.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PROJECT, Server

pytestmark = pytest.mark.browser

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a11y-editor-e2e-password"
SERIOUS = {"serious", "critical"}

SEED = f"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from liveblog import commands
from liveblog.models import Blog

start = timezone.now() - timedelta(hours=1)
blog = commands.blog_create(slug="a11y", title="Election night", actor="desk",
                            description="Live coverage of the count.",
                            time_zone="Europe/London", labels=["Results"], occurred_at=start)
blog = commands.blog_open(blog=blog, actor="desk", occurred_at=start)
at = lambda minutes: start + timedelta(minutes=minutes)
first = commands.entry_publish(blog=blog, body="Polls **opened** at 07:00.", headline="Polls open",
                               actor="desk", occurred_at=at(1), labels=["Results"])
key = commands.entry_publish(blog=blog, body="Turnout was 48%.", headline="Turnout",
                             actor="desk", occurred_at=at(2), key_event=True)
commands.entry_correct(entry=key, body="Turnout was 46%.", reason="Wrong figure", actor="desk")
gone = commands.entry_publish(blog=blog, body="A rumour.", actor="desk", occurred_at=at(3))
commands.entry_retract(entry=gone, reason="Unverified", actor="desk")
long = " ".join(f"Sentence {{n}} of a long analysis." for n in range(80))
commands.entry_publish(blog=blog, body=long, headline="Analysis", actor="desk", occurred_at=at(4),
                       pinned=True)
user = get_user_model().objects.create_user("a11y", password={PASSWORD!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
user.liveblogs.add(blog)
print(json.dumps({{"blog": blog.pk, "entry": str(first.id)}}))
"""


@pytest.fixture
def axe() -> Path:
    if AXE.is_file():
        return AXE
    message = f"axe-core is missing ({AXE.relative_to(PROJECT)}): run `npm ci`"
    if os.environ.get("LIVEBLOG_REQUIRE_BROWSER"):
        pytest.fail(f"The accessibility tests are required here but {message}.")
    pytest.skip(message)


def _violations(page: Page, axe: Path) -> list[str]:
    page.add_script_tag(path=str(axe))
    results = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


def test_no_serious_violation_on_the_reader_pages_the_desk_and_the_login_page(
    server: Server, page: Page, axe: Path
) -> None:
    seeded = json.loads(server.shell(SEED).strip().splitlines()[-1])
    server.start()
    found: list[str] = []
    for path in (
        "/blogs/a11y/",
        f"/blogs/a11y/entries/{seeded['entry']}/",
        "/blogs/a11y/?view=key-events",
        "/blogs/a11y/corrections/",
        "/admin/login/",
    ):
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        if path.startswith("/blogs/a11y/?") or path == "/blogs/a11y/":
            # Checked with what live.js adds after the load: buttons, the zone line.
            expect(page.locator(".copy-link").first).to_be_attached()
            expect(page.locator(".zone-text")).to_be_attached()
        found += _violations(page, axe)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/blogs/a11y/")
    expect(page.locator(".copy-link").first).to_be_attached()
    found += _violations(page, axe)

    desk = f"/admin/liveblog/blog/{seeded['blog']}/desk/"
    page.goto(f"{server.url}/admin/login/?next={desk}")
    page.fill("#id_username", "a11y")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{server.url}{desk}")
    page.wait_for_load_state("load")
    found += _violations(page, axe)
    assert not found, "\n".join(found)


def test_a_keyboard_reaches_the_updates_their_buttons_and_the_new_updates_button(
    server: Server, browser: Browser
) -> None:
    json.loads(server.shell(SEED).strip().splitlines()[-1])
    server.start()
    # A short window: the timeline runs well below it.
    context = browser.new_context(viewport={"width": 960, "height": 400}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.url}/blogs/a11y/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    expect(page.locator(".copy-link").first).to_be_attached()  # the later features are in

    def tab_until(check: str, *, key: str = "Tab", limit: int = 80) -> list[str]:
        walked: list[str] = []
        for _ in range(limit):
            page.keyboard.press(key)
            walked.append(page.evaluate(FOCUSED))
            if page.evaluate("check => document.activeElement.matches(check)", check):
                return walked
        raise AssertionError(f"{key} never reached {check}: {walked}")

    # The skip link first; then the page's controls in reading order, the updates' among them.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    walked = tab_until("article.entry a.permalink")
    assert any("zone-toggle" in step for step in walked), walked
    tab_until("article.entry .copy-link")
    page.keyboard.press("Enter")
    expect(page.locator(".share-done").first).to_have_text("Link copied")
    # Back up to the filters, then End scrolls the page down (focus stays): a reader far
    # from the top. A new update waits behind the button, the next stop for Tab; Enter shows it.
    tab_until("nav.labels a", key="Shift+Tab")
    page.keyboard.press("End")
    # What live.js calls away from the top: the timeline's top above the window's.
    page.wait_for_function("document.getElementById('timeline').getBoundingClientRect().top < -100")
    published = server.command("publish", slug="a11y", headline="Count", body="Counting.")
    button = page.locator("#new-updates")
    expect(button).to_have_text("1 new update")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#entry-{published['id']}")).to_be_focused()
    expect(button).to_be_hidden()
    context.close()


FOCUSED = """() => {
  const e = document.activeElement;
  return `${e.tagName.toLowerCase()}.${e.className}:${e.textContent.trim().slice(0, 30)}`;
}"""
