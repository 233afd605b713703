"""End to end, the desk's team workflow: a contributor's update goes through approval to
readers; the desk on a phone (390 px) has no horizontal scrolling and its buttons in reach.

Screenshots of the desk, its queues and the admin's home, at 1280 and 390 px, are written to
the test's directory (or to ``$LIVEBLOG_SCREENSHOTS`` when set, to look at them).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

PASSWORD = "desk-team-e2e-password"
PHONE: ViewportSize = {"width": 390, "height": 844}
WIDE: ViewportSize = {"width": 1280, "height": 900}

SETUP = f"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from liveblog import commands
from liveblog.bylines import Byline

blog = commands.blog_create(
    slug="election-night", title="Election night", time_zone="Europe/London", actor="desk"
)
commands.blog_open(blog=blog, actor="desk")
users = get_user_model().objects
editors = Group.objects.get(name="Editors")
for name, first, last, role in [("ed", "Ed", "Harris", "editor"),
                                ("ana", "Ana", "Petrosyan", "contributor")]:
    user = users.create_user(name, password={PASSWORD!r}, is_staff=True,
                             first_name=first, last_name=last)
    user.groups.add(editors)
    blog.members.add(user, through_defaults={{"role": role}})
commands.entry_publish(
    blog=blog, actor="ed", headline="Polls close",
    body="Polls have closed; a very long address follows "
    "https://example.org/results/2026/constituencies/leeds-north-east/declaration-live",
)
draft = commands.Writing(body="Turnout figures, to check", byline=Byline("Ed Harris"))
commands.desk_write(blog=blog, actor="ed", status="draft", writing=draft)
embargoed = commands.Writing(body="The embargoed poll", headline="Embargo: exit poll")
commands.desk_write(blog=blog, actor="ed", status="scheduled", writing=embargoed,
                    publish_at=timezone.now() + timedelta(hours=3))
print(json.dumps({{"blog": blog.pk}}))
"""

PUBLISHED = """
import json
from liveblog.models import Entry, Event
entry = Entry.objects.get(body__startswith="Shelling near Goris")
approved = Event.objects.get(entry_id=entry.id, type="desk.published")
submitted = Event.objects.filter(entry_id=entry.id, type="desk.submitted")
print(json.dumps({"author": entry.author_name, "approved_by": approved.actor,
                  "submitted_by": sorted(e.actor for e in submitted),
                  "returned": Event.objects.filter(entry_id=entry.id,
                                                   type="desk.returned").count()}))
"""


def _shots(tmp_path: Path) -> Path:
    where = Path(os.environ.get("LIVEBLOG_SCREENSHOTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def _log_in(browser: Browser, server: Server, username: str, viewport: ViewportSize) -> Page:
    page = browser.new_context(viewport=viewport, locale="en-GB").new_page()
    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#my-blogs")).to_be_visible()
    return page


def _no_horizontal_scrolling(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def test_a_contributor_s_update_goes_through_approval_to_readers(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    blog = json.loads(server.shell(SETUP))["blog"]
    server.start()
    desk = f"{server.url}/admin/liveblog/blog/{blog}/desk/"
    shots = _shots(tmp_path)

    reader = browser.new_context().new_page()
    reader.goto(f"{server.url}/blogs/election-night/")
    expect(reader.locator("#connection")).to_have_attribute("data-state", "open")

    # The contributor, on a phone in the field.
    ana = _log_in(browser, server, "ana", PHONE)
    ana.screenshot(path=str(shots / "home-contributor-390.png"), full_page=True)
    ana.click(f"a[href='/admin/liveblog/blog/{blog}/desk/']")
    ana.wait_for_load_state("load")
    _no_horizontal_scrolling(ana)
    ana.fill("#id_body", "Shelling near Goris this morning, residents say.")
    submit = ana.locator("#desk-publish")
    expect(submit).to_have_value("Submit for approval")
    submit.click()
    expect(ana.locator(".messagelist")).to_contain_text("Sent for approval")
    expect(ana.locator("#queue-mine")).to_contain_text("Submitted")
    _no_horizontal_scrolling(ana)
    ana.screenshot(path=str(shots / "desk-contributor-390.png"), full_page=True)
    expect(reader.get_by_text("Shelling near Goris")).to_have_count(0)

    # The editor, at the office: returns it with a note, then approves the new version.
    ed = _log_in(browser, server, "ed", WIDE)
    ed.screenshot(path=str(shots / "home-editor-1280.png"), full_page=True)
    ed.goto(desk)
    waiting = ed.locator("#queue-submitted .liveblog-queue-item").first
    expect(waiting).to_contain_text("Shelling near Goris")
    waiting.locator("summary", has_text="Return with a note").click()
    waiting.locator("textarea[name=note]").fill("Which village? Name your source.")
    waiting.get_by_role("button", name="Return it").click()
    expect(ed.locator(".messagelist")).to_contain_text("Returned")

    ana.goto(desk)
    mine = ana.locator("#queue-mine .liveblog-queue-item").first
    expect(mine).to_contain_text("Which village? Name your source.")
    mine.get_by_role("link", name="Change and submit again").click()
    expect(ana.locator(".liveblog-note")).to_contain_text("Which village?")
    _no_horizontal_scrolling(ana)
    ana.screenshot(path=str(shots / "returned-contributor-390.png"), full_page=True)
    ana.fill("#id_body", "Shelling near Goris this morning, the mayor told us.")
    ana.locator("#desk-publish").click()
    expect(ana.locator(".messagelist")).to_contain_text("Sent for approval")

    ed.goto(desk)
    ed.screenshot(path=str(shots / "desk-queues-editor-1280.png"), full_page=True)
    waiting = ed.locator("#queue-submitted .liveblog-queue-item").first
    waiting.get_by_role("button", name="Approve").click()
    expect(ed.locator(".messagelist")).to_contain_text("Published")
    expect(ed.locator("#desk-entries tbody tr").first).to_contain_text("the mayor told us")

    expect(reader.get_by_text("the mayor told us")).to_be_visible()
    expect(reader.get_by_text("Ana Petrosyan").first).to_be_visible()
    ana.goto(desk)
    expect(ana.locator("#queue-mine .liveblog-queue-item").first).to_contain_text("Published")
    stored = json.loads(server.shell(PUBLISHED))
    assert stored == {
        "author": "Ana Petrosyan",
        "approved_by": "ed",
        "submitted_by": ["ana", "ana"],
        "returned": 1,
    }


def test_the_desk_works_at_390_px(server: Server, browser: Browser, tmp_path: Path) -> None:
    blog = json.loads(server.shell(SETUP))["blog"]
    server.start()
    shots = _shots(tmp_path)
    ed = _log_in(browser, server, "ed", PHONE)
    _no_horizontal_scrolling(ed)
    ed.screenshot(path=str(shots / "home-editor-390.png"), full_page=True)
    ed.goto(f"{server.url}/admin/liveblog/blog/{blog}/desk/")
    ed.wait_for_load_state("load")
    _no_horizontal_scrolling(ed)
    ed.screenshot(path=str(shots / "desk-editor-390.png"), full_page=True)

    # The composer comes first: the text box is on the first screen, above the queues.
    body = ed.locator("#id_body")
    expect(body).to_be_in_viewport()
    composer, drafts = body.bounding_box(), ed.locator("#queue-drafts").bounding_box()
    assert composer is not None and drafts is not None and composer["y"] < drafts["y"]
    for queue in ("#queue-drafts", "#queue-scheduled", "#queue-submitted"):
        expect(ed.locator(queue)).to_be_visible()
    # Every action fits the screen's width: none is cut off at the right.
    for button in ed.locator(".liveblog-queue-actions .button, #desk-entries .button").all():
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    body.fill("Counting has started in **Leeds**.")
    publish = ed.locator("#desk-publish")
    publish.scroll_into_view_if_needed()
    expect(publish).to_be_visible()
    expect(publish).to_be_enabled()
    box = publish.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 40
    publish.click()
    expect(ed.locator(".messagelist")).to_contain_text("Published")
    expect(ed.locator("#desk-entries tbody tr").first).to_contain_text("Counting has started")
    _no_horizontal_scrolling(ed)

    # Closing asks first, and says what readers will see; on a phone too.
    ed.get_by_role("button", name="Close the blog").click()
    expect(ed.locator("#readers-will-see")).to_contain_text("coverage ended at")
    _no_horizontal_scrolling(ed)
    ed.screenshot(path=str(shots / "close-confirm-390.png"), full_page=True)
    ed.get_by_role("link", name="No, go back").click()
    expect(ed.locator(".liveblog-badge-live")).to_be_visible()

    wide = _log_in(browser, server, "ed", WIDE)
    wide.goto(f"{server.url}/admin/liveblog/blog/{blog}/desk/")
    wide.screenshot(path=str(shots / "desk-editor-1280.png"), full_page=True)
    _no_horizontal_scrolling(wide)

    # "Schedule" without a time opens the fold where the time goes; with one, it queues.
    wide.wait_for_load_state("load")
    wide.fill("#id_body", "Embargoed: the exit poll's figures")
    wide.locator("#desk-schedule").click()
    expect(wide.locator("#id_publish_at")).to_be_focused()
    later = datetime.now(ZoneInfo("Europe/London")) + timedelta(hours=2)
    wide.fill("#id_publish_at", later.strftime("%Y-%m-%dT%H:%M"))
    wide.locator("#desk-schedule").click()
    expect(wide.locator(".messagelist")).to_contain_text(f"goes out at {later:%H:%M}")
    expect(wide.locator("#queue-scheduled")).to_contain_text("Embargoed: the exit poll")
