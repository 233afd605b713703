"""The reader page's features loaded after its first render (live/*.js), in Chromium."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from liveblog.caching import RETRACTION_REACHES_CACHES_SECONDS
from tests.browser.conftest import Server
from tests.browser.reader import opened_blog

pytestmark = pytest.mark.browser

# A London blog with labels, twelve updates two minutes apart (one key event), so the page
# scrolls; prints the ids, oldest first.
SEED = (
    opened_blog("count", "The count", labels=["Results", "Turnout"])
    + """
import json
ids = []
for n in range(12):
    entry = commands.entry_publish(
        blog=blog, actor="desk", occurred_at=start + timedelta(minutes=2 * n + 1),
        headline=f"Update {n}", body=f"Paragraph {n}.\\n\\n" + "A line of the count. " * 30,
        key_event=n == 3, labels=["Turnout"] if n % 2 else ["Results"],
    )
    ids.append(str(entry.id))
print(json.dumps(ids))
"""
)


def _reader(
    browser: Browser,
    *,
    timezone_id: str = "America/New_York",
    init_script: str | None = None,
    **options: Any,
) -> Page:
    options.setdefault("viewport", {"width": 960, "height": 900})
    context = browser.new_context(locale="en-GB", timezone_id=timezone_id, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    if init_script is not None:
        page.add_init_script(init_script)
    return page


def _open_the_count(server: Server, browser: Browser, **options: Any) -> tuple[list[str], Page]:
    """Seed the count, start the server and open the blog in a reader's browser."""
    ids = json.loads(server.shell(SEED).strip().splitlines()[-1])
    server.start()
    page = _reader(browser, **options)
    page.goto(f"{server.url}/blogs/count/")
    return ids, page


def test_times_are_in_the_readers_zone_with_the_newsrooms_a_click_away(
    server: Server, browser: Browser
) -> None:
    ids, page = _open_the_count(server, browser)
    first = page.locator(f"#entry-{ids[-1]} .entry-time time")
    iso = first.get_attribute("datetime") or ""
    in_zone = lambda zone: page.evaluate(  # noqa: E731
        "([iso, zone]) => new Intl.DateTimeFormat('en-GB', {timeZone: zone, hour: '2-digit',"
        " minute: '2-digit', hourCycle: 'h23'}).format(new Date(iso))",
        [iso, zone],
    )
    expect(page.locator("#blog-zone")).to_contain_text("Times in your zone (America/New_York)")
    expect(first).to_have_text(in_zone("America/New_York"))
    assert in_zone("America/New_York") in (first.get_attribute("title") or "")

    page.get_by_role("button", name="Show newsroom's (Europe/London)").click()
    expect(page.locator("#blog-zone")).to_contain_text("newsroom's zone (Europe/London)")
    expect(first).to_have_text(in_zone("Europe/London"))

    # Remembered: the next page opens in the newsroom's zone, and one click brings the reader's.
    page.reload()
    expect(first).to_have_text(in_zone("Europe/London"))
    page.get_by_role("button", name="Show yours (America/New_York)").click()
    expect(first).to_have_text(in_zone("America/New_York"))
    assert not page.errors  # type: ignore[attr-defined]


def test_without_javascript_the_page_is_in_the_blogs_zone_and_says_so(
    server: Server, browser: Browser
) -> None:
    _, page = _open_the_count(server, browser, java_script_enabled=False)
    expect(page.locator("#blog-zone")).to_contain_text("Times in Europe/London")


def test_key_events_and_labels_filter_in_place(server: Server, browser: Browser) -> None:
    ids, page = _open_the_count(server, browser)
    expect(page.locator("#blog-zone")).to_contain_text("your zone")  # the features loaded
    page.evaluate("window.__notReloaded = true")
    articles = page.locator("#timeline-list > article")

    page.locator("nav.labels").get_by_role("link", name="Turnout").click()
    expect(page).to_have_url(f"{server.url}/blogs/count/?label=Turnout")
    expect(articles.first).to_contain_text("Update 11")
    expect(page.locator("#timeline-list")).not_to_contain_text("Update 10")
    expect(page.locator("nav.labels a[aria-current=page]")).to_have_text("Turnout")

    page.locator("nav.views").get_by_role("link", name="Key events").click()
    expect(page).to_have_url(f"{server.url}/blogs/count/?view=key-events&label=Turnout")
    expect(articles).to_have_count(1)
    expect(articles.first).to_have_attribute("data-entry-id", ids[3])

    page.get_by_role("link", name="Every label").click()
    expect(page).to_have_url(f"{server.url}/blogs/count/?view=key-events")
    page.locator("nav.views").get_by_role("link", name="All updates").click()
    expect(page).to_have_url(f"{server.url}/blogs/count/")
    expect(articles.first).to_contain_text("Update 11")

    page.go_back()
    expect(page).to_have_url(f"{server.url}/blogs/count/?view=key-events")
    expect(articles).to_have_count(1)
    assert page.evaluate("window.__notReloaded") is True

    # Filtered by label, a live update with another label stays off the page.
    page.locator("nav.views").get_by_role("link", name="All updates").click()
    page.locator("nav.labels").get_by_role("link", name="Results").click()
    expect(articles.first).to_contain_text("Update 10")
    server.command("publish", slug="count", headline="Unlabelled", body="No label.")
    page.wait_for_timeout(500)
    expect(page.locator("#timeline-list")).not_to_contain_text("Unlabelled")
    assert not page.errors  # type: ignore[attr-defined]


def test_copy_link_copies_the_permalink_and_says_so(server: Server, browser: Browser) -> None:
    ids, page = _open_the_count(server, browser, permissions=["clipboard-read", "clipboard-write"])
    article = page.locator(f"#entry-{ids[-1]}")
    article.get_by_role("button", name="Copy link").click()
    expect(article.locator(".share-done")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{server.url}/blogs/count/entries/{ids[-1]}/"
    # Not a phone: no share sheet button; a live update gets its copy button too.
    expect(article.get_by_role("button", name="Share")).to_have_count(0)
    published = server.command("publish", slug="count", headline="Live one", body="Pushed.")
    expect(
        page.locator(f"#entry-{published['id']}").get_by_role("button", name="Copy link")
    ).to_be_visible()
    assert not page.errors  # type: ignore[attr-defined]


def test_a_phone_offers_the_system_share_sheet(server: Server, browser: Browser) -> None:
    ids, page = _open_the_count(
        server,
        browser,
        has_touch=True,
        is_mobile=True,
        viewport={"width": 390, "height": 844},
        init_script=(
            "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); }"
        ),
    )
    page.locator(f"#entry-{ids[-1]}").get_by_role("button", name="Share").click()
    shared = page.evaluate("window.__shared")
    assert shared == {"title": "Update 11", "url": f"{server.url}/blogs/count/entries/{ids[-1]}/"}


def test_back_to_the_latest_appears_far_down_and_goes_to_the_newest(
    server: Server, browser: Browser
) -> None:
    ids, page = _open_the_count(server, browser)
    button = page.get_by_role("button", name="Back to the latest")
    expect(page.locator("#blog-zone")).to_contain_text("your zone")
    expect(button).to_be_hidden()
    page.locator(f"#entry-{ids[0]}").scroll_into_view_if_needed()
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(f"#entry-{ids[-1]}")).to_be_focused()
    expect(button).to_be_hidden()
    assert page.evaluate("window.scrollY") < 900


def test_since_your_last_visit_counts_what_changed(server: Server, browser: Browser) -> None:
    ids, page = _open_the_count(server, browser)
    page.wait_for_function("localStorage.getItem('liveblog:last-seq:count') !== null")
    expect(page.locator("#since-visit")).to_have_count(0)
    page.goto(f"{server.url}/blogs/count/corrections/")

    added = [
        server.command("publish", slug="count", headline=f"New {n}", body="New.") for n in range(3)
    ]
    server.command("correct", entry_id=ids[5], body="Corrected words.", reason="Typo")
    server.shell(
        "from liveblog import commands; from liveblog.models import Entry;"
        f"commands.entry_retract(entry=Entry.objects.get(pk='{ids[6]}'), reason='Unverified',"
        " actor='desk');"
        f"commands.entry_retract(entry=Entry.objects.get(pk='{added[2]['id']}'), reason='Wrong',"
        " actor='desk')"
    )
    # Back later than the browser may keep the page (its cache lifetime, stale included).
    page.wait_for_timeout(RETRACTION_REACHES_CACHES_SECONDS * 1000)
    page.goto(f"{server.url}/blogs/count/")
    box = page.locator("#since-visit")
    # The update published and retracted while the reader was away is not news to them.
    expect(box).to_have_text(
        "Since your last visit: 2 new updates, 1 correction, 1 retraction. Dismiss"
    )
    expect(box.get_by_role("link", name="2 new updates")).to_have_attribute(
        "href", f"#entry-{added[0]['id']}"
    )
    expect(box.get_by_role("link", name="1 correction")).to_have_attribute(
        "href", "/blogs/count/corrections/"
    )
    assert "Wrong" not in box.inner_text()

    # Seen now: the next visit has nothing to report.
    page.goto(f"{server.url}/blogs/count/corrections/")
    page.wait_for_timeout(RETRACTION_REACHES_CACHES_SECONDS * 1000)
    page.goto(f"{server.url}/blogs/count/")
    page.wait_for_function("localStorage.getItem('liveblog:last-seq:count') === '20'")
    page.wait_for_timeout(300)
    expect(page.locator("#since-visit")).to_have_count(0)
    assert not page.errors  # type: ignore[attr-defined]


STEPS = (
    opened_blog("steps", "Steps")
    + """
figure = commands.entry_publish(blog=blog, body="Turnout was 48%.", actor="desk",
                                occurred_at=at(1))
commands.entry_correct(entry=figure, body="Turnout was 46%.", reason="Wrong figure",
                       actor="desk", occurred_at=at(2))
rumour = commands.entry_publish(blog=blog, body="A rumour of a recount.", actor="desk",
                                occurred_at=at(3))
commands.entry_retract(entry=rumour, reason="Unverified", actor="desk", occurred_at=at(4))
"""
)


def test_replay_steps_through_each_change_from_the_start(server: Server, browser: Browser) -> None:
    server.shell(STEPS)
    server.start()
    page = _reader(browser)
    page.goto(f"{server.url}/blogs/steps/")
    page.get_by_role("link", name="Replay the coverage").click()
    timeline = page.locator("#timeline")
    expect(page.locator("#as-it-stood")).to_contain_text("The page as it stood at")
    seen = []
    for _ in range(4):
        page.get_by_role("link", name="Next change →").click()
        expect(page.locator("#as-it-stood")).to_be_visible()
        seen.append(timeline.inner_text())
    expect(page.get_by_role("link", name="Next change →")).to_have_count(0)
    assert "Turnout was 48%." in seen[0] and "Corrected later" in seen[0]
    assert "Turnout was 46%." in seen[1] and "48%" not in seen[1]
    # The rumour was retracted later: its words are withheld at every moment.
    assert "Retracted later" in seen[2] and "rumour" not in seen[2]
    assert "Retracted: Unverified" in seen[3] and "rumour" not in seen[3]
    page.get_by_role("link", name="← Previous change").click()
    expect(timeline).to_contain_text("Retracted later")
