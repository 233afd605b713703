"""End to end: a reader whose network refuses WebSockets polls, and goes back to the socket.

Playwright cannot block a WebSocket by route, so the page's ``WebSocket`` is replaced before
its scripts run by one that is refused (as a proxy without WebSocket support refuses it)
until the test allows sockets again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Server
from tests.browser.reader import article, entry_ids, publish_then_correct
from tests.browser.test_reader_page import SEED

pytestmark = pytest.mark.browser

BLOCK_WEBSOCKETS = """
(() => {
  const Real = window.WebSocket;
  const sockets = (window.__sockets = { blocked: true, tried: 0 });
  class Refused extends EventTarget {
    constructor(url) {
      super();
      this.url = url;
      this.readyState = 0;
      setTimeout(() => {
        this.readyState = 3;
        this.dispatchEvent(new Event("error"));
        this.dispatchEvent(new CloseEvent("close", { code: 1006 }));
      }, 20);
    }
    close() {}
  }
  window.WebSocket = function WebSocket(url, protocols) {
    sockets.tried += 1;
    return sockets.blocked ? new Refused(url) : new Real(url, protocols);
  };
})();
"""
#: Poll every 2 s, plus the server's answer; a little more on a busy machine.
BY_POLLING = 10_000
#: The socket is tried again after 2-4 s, then twice as long each time up to 15-30 s.
BACK_TO_THE_SOCKET = 35_000


def test_without_websockets_the_page_polls_then_goes_back_to_the_socket(
    server: Server, page: Page, tmp_path: Path
) -> None:
    seeded = json.loads(server.shell(SEED))
    server.start()
    api_reads: list[str] = []

    def note(request: Request) -> None:
        if "/api/" in request.url or "polling.js" in request.url:
            api_reads.append(request.url)

    page.on("request", note)
    page.add_init_script(BLOCK_WEBSOCKETS)
    page.goto(f"{server.url}/blogs/election-night/")
    page.evaluate("window.__notReloaded = true")
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "polling")
    # Readers are told what they are told with a socket: the page is live.
    expect(connection).to_have_text("Live: new updates appear here as they are published.")
    assert page.evaluate("window.__sockets.tried") == 2, "two refusals, then polling"
    assert any("/static/liveblog/live/polling.js" in url for url in api_reads)
    assert f"{server.url}/api/blogs/election-night/events/?after=0&limit=20" in api_reads

    # Published: on top, announced, as if pushed; corrected: the new text and the notice.
    published, entry = publish_then_correct(server, page, timeout=BY_POLLING)

    # Retracted: only the notice is left.
    server.command("retract", entry_id=published["id"], reason="Counting has not begun.")
    expect(entry.locator(".notice-retracted")).to_have_text(
        "Retracted: Counting has not begun.", timeout=BY_POLLING
    )
    expect(entry).not_to_contain_text("650 constituencies")
    expect(page.locator("#announcer")).to_have_text("1 update retracted")

    # Ten more at once, from another process: the log's first page of 20 closes, so the poller
    # reads their entries on their own and follows its next link; each shows once.
    burst = json.loads(
        server.shell(
            "import json; from liveblog import commands; from liveblog.models import Blog\n"
            "blog = Blog.objects.get(slug='election-night')\n"
            "ids = [str(commands.entry_publish(blog=blog, body=f'Seat {n} declared.',"
            " actor='desk').id) for n in range(10)]\n"
            "print(json.dumps(ids))"
        )
    )
    assert seeded["last_seq"] + 3 + 10 > 20
    expect(article(page, burst[-1])).to_contain_text("Seat 9 declared.", timeout=BY_POLLING)
    assert any(f"/api/blogs/election-night/entries/{burst[0]}/" in url for url in api_reads)
    assert f"{server.url}/api/blogs/election-night/events/?after=20&limit=20" in api_reads
    ids = entry_ids(page)
    assert len(ids) == len(set(ids)) == 5 + 1 + 10
    assert ids.index(burst[-1]) < ids.index(burst[0]) < ids.index(published["id"])

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=tmp_path / f"polling-{width}.png", full_page=True)

    # WebSockets work again: the next try of the socket opens it, and polling stops.
    page.evaluate("window.__sockets.blocked = false")
    expect(connection).to_have_attribute("data-state", "open", timeout=BACK_TO_THE_SOCKET)
    polled = len(api_reads)
    pushed = server.command(
        "publish", slug="election-night", headline="First result", body="The first seat."
    )
    expect(article(page, pushed["id"])).to_contain_text("The first seat.")
    page.wait_for_timeout(3_000)
    assert len(api_reads) == polled, f"polled with the socket open: {api_reads[polled:]}"
    assert page.evaluate("window.__notReloaded") is True
