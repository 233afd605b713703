"""End to end: a reader whose network refuses WebSockets polls, and goes back to the socket;
one whose socket goes silent while it looks open gives it up and catches up on a new one.

Playwright cannot block a WebSocket by route, so the page's ``WebSocket`` is replaced before
its scripts run by one that is refused (as a proxy without WebSocket support refuses it)
until the test allows sockets again, or by a real one whose frames can be swallowed.
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


#: A middlebox that keeps a connection open but stops passing its frames: the page's
#: sockets are real, and ``window.__sockets.silence()`` swallows everything the current one
#: receives from then on (the ones opened later pass again).
SILENCEABLE_WEBSOCKETS = """
(() => {
  const Real = window.WebSocket;
  const sockets = (window.__sockets = { all: [] });
  sockets.silence = () => (sockets.all.at(-1).silenced = true);
  window.WebSocket = class extends Real {
    constructor(url, protocols) {
      super(url, protocols);
      this.silenced = false;
      sockets.all.push(this);
    }
    addEventListener(type, listener, options) {
      const passed = type === "message" ? (event) => this.silenced || listener(event) : listener;
      super.addEventListener(type, passed, options);
    }
  };
})();
"""
#: The server's heartbeat in this test; the page gives a socket up after 2.5 of them.
HEARTBEAT_SECONDS = 1


def test_a_socket_gone_silent_is_replaced_and_what_was_published_meanwhile_shows_once(
    server: Server, page: Page
) -> None:
    server.env["LIVEBLOG_HEARTBEAT_SECONDS"] = str(HEARTBEAT_SECONDS)
    seeded = json.loads(server.shell(SEED))
    server.start()
    polls: list[str] = []

    def note(request: Request) -> None:
        if "/events/" in request.url:
            polls.append(request.url)

    page.on("request", note)
    page.add_init_script(SILENCEABLE_WEBSOCKETS)
    page.goto(f"{server.url}/blogs/election-night/")
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "open")
    first = server.command("publish", slug="election-night", body="Pushed while all is well.")
    expect(article(page, first["id"])).to_contain_text("Pushed while all is well.")

    # The connection stays open but nothing more gets through: an update published now
    # reaches the server's end of it only.
    page.evaluate("window.__sockets.silence()")
    missed = server.command("publish", slug="election-night", body="Published into the void.")
    page.wait_for_timeout(500)
    assert article(page, missed["id"]).count() == 0, "the silenced socket brought it"

    # 2.5 heartbeats without a word: the page gives the socket up and catches up on a new one.
    expect(article(page, missed["id"])).to_contain_text(
        "Published into the void.", timeout=HEARTBEAT_SECONDS * 2_500 + 5_000
    )
    urls = page.evaluate("window.__sockets.all.map(socket => socket.url)")
    assert len(urls) == 2, urls
    assert urls[1].endswith(f"?after={seeded['last_seq'] + 1}"), "from the last seq shown"
    assert page.evaluate("window.__sockets.all[0].readyState") >= 2, "the silent one is closed"
    expect(connection).to_have_attribute("data-state", "open")
    assert polls == [], "one silent socket is one failure: no polling"

    # Live again on the new socket; each update on the page once, none twice.
    after = server.command("publish", slug="election-night", body="Pushed on the new socket.")
    expect(article(page, after["id"])).to_contain_text("Pushed on the new socket.")
    page.wait_for_timeout(HEARTBEAT_SECONDS * 3_000)  # heartbeats come, nothing else
    ids = entry_ids(page)
    assert len(ids) == len(set(ids)) == 5 + 3
    newest = page.locator("#timeline-list > article").evaluate_all(
        "articles => articles.slice(0, 3).map(article => article.dataset.entryId)"
    )
    assert newest == [after["id"], missed["id"], first["id"]]
    assert page.evaluate("window.__sockets.all.length") == 2, "the new socket stayed"
