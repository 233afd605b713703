"""Two editors on one desk, in two browsers: each sees the other's work as it happens.

Ana publishes, corrects and pins; Ben's desk shows each within a second while his own
half-written update stays in his composer. Both see who is on the desk and what they do, and
a correction form warns when a colleague is correcting the same entry or has changed it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

PASSWORD = "two-editors-e2e-password"
#: What "within a second" allows, from the end of Ana's request to Ben's screen.
LIVE_MS = 1000

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from liveblog import commands

blog = commands.blog_create(
    slug="election-night", title="Election night", time_zone="Europe/London", actor="desk"
)
commands.blog_open(blog=blog, actor="desk")
for username, first in (("ana", "Ana"), ("ben", "Ben")):
    user = get_user_model().objects.create_user(
        username, password={PASSWORD!r}, is_staff=True, first_name=first
    )
    user.groups.add(Group.objects.get(name="Editors"))
    blog.members.add(user)
print(json.dumps({{"blog": blog.pk}}))
"""


def _signed_in(browser: Browser, server: Server, username: str, path: str, **viewport: int) -> Page:
    context = browser.new_context(
        viewport={"width": viewport.get("width", 1280), "height": 900}, locale="en-GB"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Kept on the page for the fixture's teardown (Page does not declare it).
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(f"{server.url}/admin/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{server.url}{path}")
    return page


def _live(page: Page) -> None:
    expect(page.locator("#desk-presence")).to_have_attribute("data-state", "open")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: LIVEBLOG_SCREENSHOTS to keep them, else the test's tmp dir."""
    folder = Path(os.environ.get("LIVEBLOG_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def editors(server: Server, browser: Browser) -> Iterator[tuple[Page, Page, str]]:
    setup = json.loads(server.shell(SETUP))
    server.start()
    desk = f"/admin/liveblog/blog/{setup['blog']}/desk/"
    ana = _signed_in(browser, server, "ana", desk)
    ben = _signed_in(browser, server, "ben", desk)
    yield ana, ben, desk
    for page in (ana, ben):
        errors = page.errors  # type: ignore[attr-defined]  # set by _signed_in
        page.context.close()
        assert not errors, f"uncaught errors in the page: {errors}"


def test_a_colleague_s_publish_correction_and_pin_reach_the_desk_within_a_second(
    editors: tuple[Page, Page, str], server: Server, shots: Path
) -> None:
    ana, ben, _ = editors
    _live(ana)
    _live(ben)
    # Presence: each sees both, themselves marked.
    for page, me, other in ((ana, "Ana", "Ben"), (ben, "Ben", "Ana")):
        bar = page.locator("#desk-presence")
        expect(bar.locator("li", has_text=f"{me} (you)")).to_contain_text("on the desk")
        expect(bar.locator("li", has_text=other)).to_contain_text("on the desk")

    # Ben starts an update of his own, and Ana sees him writing.
    ben.fill("#id_headline", "Turnout")
    ben.locator("#id_body").press_sequentially("Turnout in Leeds is up on 2019, half-writ")
    expect(ana.locator("#desk-presence li", has_text="Ben")).to_contain_text("writing a new update")

    # Ana publishes.
    ana.fill("#id_body", "Polls have closed in **Leeds**.")
    ana.fill("#id_headline", "Polls close")
    ana.click("#desk-publish")
    expect(ana.locator(".messagelist")).to_contain_text("Published")
    row = ben.locator("#desk-entries tbody tr", has_text="Polls close")
    expect(row).to_be_visible(timeout=LIVE_MS)
    expect(row).to_contain_text("revision 1")

    # Ana corrects it.
    ana.locator("#desk-entries tbody tr", has_text="Polls close").get_by_role(
        "link", name="Correct"
    ).click()
    ana.fill("#id_body", "Polls have closed in **Leeds** and Bradford.")
    ana.fill("#id_reason", "Bradford too")
    ana.click("input[name=_save]")
    expect(ana.locator(".messagelist")).to_contain_text("Corrected")
    expect(row).to_contain_text("Bradford", timeout=LIVE_MS)
    expect(row).to_contain_text("revision 2", timeout=LIVE_MS)

    # Ana pins it.
    ana.locator("#desk-entries tbody tr", has_text="Polls close").get_by_role(
        "button", name="Pin"
    ).click()
    expect(ana.locator(".messagelist")).to_contain_text("Pinned")
    expect(row).to_contain_text("Pinned", timeout=LIVE_MS)

    # Through all of it Ben's half-written update stayed where he left it, cursor and all.
    expect(ben.locator("#id_body")).to_have_value("Turnout in Leeds is up on 2019, half-writ")
    expect(ben.locator("#id_headline")).to_have_value("Turnout")
    ben.locator("#id_body").press_sequentially("ten")
    expect(ben.locator("#id_body")).to_have_value("Turnout in Leeds is up on 2019, half-written")
    ben.screenshot(path=str(shots / "desk-live-1280.png"), full_page=True)
    ben.set_viewport_size({"width": 390, "height": 844})
    ben.screenshot(path=str(shots / "desk-live-390.png"), full_page=True)
    ben.set_viewport_size({"width": 1280, "height": 900})

    # Ana goes to correct it again; Ben opens the same form and is warned at once.
    ana.locator("#desk-entries tbody tr", has_text="Polls close").get_by_role(
        "link", name="Correct"
    ).click()
    _live(ana)
    expect(ben.locator("#desk-presence li", has_text="Ana")).to_contain_text(
        "correcting “Polls close”"
    )
    expect(row.locator(".liveblog-being-changed")).to_have_text("Ana is correcting this update.")
    ben.screenshot(path=str(shots / "desk-being-corrected-1280.png"))
    row.get_by_role("link", name="Correct").click()
    warning = ben.locator("#desk-live-warning")
    expect(warning).to_contain_text("Ana is changing this update too")
    expect(ben.locator("#desk-presence li", has_text="Ana")).to_contain_text(
        "correcting this update"
    )
    expect(ana.locator("#desk-live-warning")).to_contain_text("Ben is changing this update too")
    ben.screenshot(path=str(shots / "correct-warning-1280.png"), full_page=True)

    # Ana saves first: Ben's form says his text is now based on an old revision.
    ana.fill("#id_body", "Polls have closed in Leeds, Bradford and York.")
    ana.fill("#id_reason", "York too")
    ana.click("input[name=_save]")
    expect(warning).to_contain_text("Ana changed this update after you opened it", timeout=LIVE_MS)
    ben.set_viewport_size({"width": 390, "height": 844})
    ben.screenshot(path=str(shots / "correct-warning-390.png"), full_page=True)


def test_a_colleague_who_leaves_leaves_the_presence_bar(
    editors: tuple[Page, Page, str],
) -> None:
    ana, ben, _ = editors
    _live(ben)
    expect(ben.locator("#desk-presence li", has_text="Ana")).to_be_visible()
    ana.close()
    expect(ben.locator("#desk-presence li", has_text="Ana")).to_have_count(0)
    expect(ben.locator("#desk-presence li")).to_have_text(["Ben (you) on the desk"])
