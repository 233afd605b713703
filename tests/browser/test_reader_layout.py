"""The reader page holds still on first render: nothing jumps under the reader's thumb."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Server
from tests.browser.reader import opened_blog

pytestmark = pytest.mark.browser

# A blog as readers meet it: a description, key events, a pinned update, photos on the first
# screen (as uploaded, so with their dimensions) and enough updates to fill a page.
SEED = (
    opened_blog(
        "layout", "Layout night", description="Live coverage of a night that must not jump."
    )
    + """
import io
from PIL import Image
from liveblog.media import file_url

for minute in range(1, 30):
    commands.entry_publish(blog=blog, actor="desk", occurred_at=at(minute),
                           headline=f"Update {minute}", key_event=minute % 7 == 0,
                           body=f"Something happened at minute {minute}. " * 6)
commands.entry_publish(blog=blog, actor="desk", occurred_at=at(30), pinned=True,
                       headline="How to follow", body="Updates appear here as they come.")
for n in range(2):
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((1600, 1000)).convert("RGB").save(buffer, "JPEG")
    media = commands.media_upload(blog=blog, data=buffer.getvalue(), filename="photo.jpg",
                                  alt=f"Photo {n}", caption=f"Scene {n}", credit="Desk",
                                  actor="desk", max_bytes=40 * 1024 * 1024,
                                  max_pixels=50_000_000)
    commands.entry_publish(blog=blog, actor="desk", occurred_at=at(40 + n),
                           body=f"A photo ({n}).\\n\\n![Photo {n}]({file_url(media.name)})")
"""
)

# Every image loaded, a moment for the script's first changes, then the layout shifts so far
# (buffered: Chromium keeps them out of getEntriesByType()) with what moved.
LAYOUT_SHIFTS = """
async () => {
  await Promise.all([...document.images].map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done);
  })));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 500)));
  const shifts = await new Promise((done) => {
    new PerformanceObserver((list) => done(list.getEntries()))
      .observe({type: "layout-shift", buffered: true});
    setTimeout(() => done([]), 1000);
  });
  const rect = (r) => [r.x, r.y, r.width, r.height].map(Math.round);
  return shifts.filter((shift) => !shift.hadRecentInput).map((shift) => ({
    value: shift.value,
    sources: shift.sources.map((source) => ({
      node: source.node ? (source.node.id || source.node.className || source.node.nodeName) : null,
      html: source.node && source.node.outerHTML ? source.node.outerHTML.slice(0, 120) : null,
      before: rect(source.previousRect), after: rect(source.currentRect),
    })),
  }));
}
"""


def shifts_on_first_render(server: Server, browser: Browser, width: int, **options: Any) -> list:
    """The layout shifts a reader's first view of the page made, with what moved."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", **options
    )
    try:
        page = context.new_page()
        page.goto(f"{server.url}/blogs/layout/", wait_until="load")
        shifts: list = page.evaluate(LAYOUT_SHIFTS)
        return shifts
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_first_render_does_not_shift(server: Server, browser: Browser, width: int) -> None:
    server.shell(SEED)
    server.start()
    for zone in ("Europe/London", "America/New_York"):
        shifts = shifts_on_first_render(server, browser, width, timezone_id=zone)
        assert shifts == [], json.dumps(shifts)
