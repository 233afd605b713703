"""The reader page in Chromium: the page as it stood, a closed blog, long updates, key events."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.reader import opened_blog

pytestmark = pytest.mark.browser

# Published, corrected and then retracted, a minute apart, with a long update and a key event;
# the blog closes last. Prints each moment in between, as ISO times.
SEED = (
    opened_blog("night", "Night")
    + """
import json
claim = commands.entry_publish(blog=blog, body="Turnout was 48%.", actor="desk",
                               occurred_at=at(1), key_event=True, headline="Turnout")
commands.entry_correct(entry=claim, body="Turnout was 46%.", reason="Wrong figure",
                       actor="desk", occurred_at=at(2))
commands.entry_retract(entry=claim, reason="Not verified", actor="desk", occurred_at=at(3))
long = " ".join(f"Sentence {n} of a long analysis of the night." for n in range(60))
commands.entry_publish(blog=blog, body=long, actor="desk", occurred_at=at(4))
commands.entry_publish(blog=blog, body="Polls closed.", actor="desk", occurred_at=at(5),
                       key_event=True, headline="Polls closed")
commands.blog_close(blog=blog, actor="desk", occurred_at=at(6))
print(json.dumps({name: at(m).isoformat() for name, m in
                  [("published", 1.5), ("corrected", 2.5), ("retracted", 3.5)]}))
"""
)


def test_the_page_as_it_stood_shows_the_words_of_each_moment(server: Server, page: Page) -> None:
    moments = json.loads(server.shell(SEED).strip().splitlines()[-1])
    server.start()
    seen = {}
    for name, at in moments.items():
        page.goto(f"{server.url}/blogs/night/?{urlencode({'at': at})}")
        expect(page.locator("#as-it-stood")).to_contain_text("The page as it stood at")
        seen[name] = page.locator("#timeline-list").inner_text()
    # The words it had then never come back: retracted later, it shows only the notice.
    for text in seen.values():
        assert "48%" not in text and "46%" not in text
        assert "Retracted later" in text or "Retracted: Not verified" in text
    assert "Retracted later" in seen["published"] and "Retracted later" in seen["corrected"]
    assert "Retracted: Not verified" in seen["retracted"]
    page.get_by_role("link", name="See the page now").click()
    expect(page.locator("#as-it-stood")).to_have_count(0)


def test_a_closed_blog_says_so_and_promises_no_updates(server: Server, page: Page) -> None:
    server.shell(SEED)
    server.start()
    page.goto(f"{server.url}/blogs/night/")
    expect(page.locator("#blog-state")).to_contain_text("coverage ended at")
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "open")
    expect(connection).to_have_text(
        "Coverage has ended. Corrections and retractions still appear here."
    )
    assert "new updates appear here" not in page.content()


def test_the_key_events_box_and_show_more_on_a_long_update(server: Server, page: Page) -> None:
    server.shell(SEED)
    server.start()
    page.goto(f"{server.url}/blogs/night/")
    box = page.locator("#key-events")
    expect(box.locator("li")).to_have_count(1)  # the retracted one is no key event any more
    expect(box).to_contain_text("Polls closed")
    body = page.locator(".entry-body.is-long")
    collapsed = body.bounding_box()
    assert collapsed and collapsed["height"] < 300
    page.get_by_text("Show more").click()  # a label and a checkbox: no script involved
    expanded = body.bounding_box()
    assert expanded and expanded["height"] > collapsed["height"] * 1.5
    expect(page.get_by_text("Show less")).to_be_visible()
