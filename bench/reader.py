"""The reader page's own figures (issue 17), in the ``pages`` part.

The EVN seed is prepared as readers would meet it: every 40th of its updates marked as a key
event (the box at the top of the page has something to show) and three photos published at
the end of its coverage (the first screen has images). Then:

- ``?at=`` for moments spread evenly across the coverage, each asked several times;
- the first render in Debian's Chromium (Playwright, never a downloaded browser): the HTML's
  size, the JavaScript's (every script the page loads, as served, not compressed), and the
  cumulative layout shift once every image has loaded (a ``PerformanceObserver`` on
  ``layout-shift``, which is what makes a page jump under the reader's thumb).
"""

from __future__ import annotations

import functools
import json
import os
import re
from datetime import datetime, timedelta
from http.client import HTTPConnection
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bench import stats
from bench.procs import HOST, BenchError, manage, timed_get

if TYPE_CHECKING:
    from playwright.sync_api import Response

CHROMIUM = "/usr/bin/chromium"
#: Moments across the coverage for ``?at=``, and GETs of each.
MOMENTS = 20
GETS_PER_MOMENT = 10
KEY_EVENT_EVERY = 40
PHOTOS = 3

PREPARE = """
import io, json
from datetime import timedelta
from PIL import Image, ImageFilter
from liveblog import commands
from liveblog.media import file_url
from liveblog.models import Blog, Entry

blog = Blog.objects.get(slug=%(slug)r)
entries = list(Entry.objects.filter(blog=blog).order_by("occurred_at", "published_seq"))
for entry in entries[::%(every)d]:
    commands.entry_mark_key_event(entry=entry, actor="bench", occurred_at=entry.occurred_at)
last = entries[-1].occurred_at
for n in range(%(photos)d):
    base = Image.linear_gradient("L").resize((1600, 1000))
    noise = Image.effect_noise((1600, 1000), 30 + n).filter(ImageFilter.GaussianBlur(1))
    buffer = io.BytesIO()
    Image.merge("RGB", (base, noise, base)).save(buffer, "JPEG", quality=85)
    media = commands.media_upload(blog=blog, data=buffer.getvalue(), filename="photo.jpg",
                                  alt=f"Photo {n}", caption=f"Scene {n}", credit="Bench",
                                  actor="bench", max_bytes=40 * 1024 * 1024,
                                  max_pixels=50_000_000)
    body = f"A photo from the scene ({n}).\\n\\n![Photo {n}]({file_url(media.name)})"
    commands.entry_publish(blog=blog, actor="bench", body=body,
                           occurred_at=last + timedelta(seconds=n + 1))
blog.refresh_from_db()
print("BENCH " + json.dumps({
    "start": blog.coverage_start.isoformat(), "end": blog.coverage_end.isoformat(),
    "key_events": len(entries[::%(every)d]),
}))
"""

#: Runs in the page: bring each image into view (they load lazily), wait for it (at most 5 s
#: each), then add up the layout shifts so far (buffered) that no reader's input caused.
_LAYOUT_SHIFT = """
async () => {
  const loaded = (img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done); img.addEventListener("error", done);
    setTimeout(done, 5000);
  });
  for (const img of [...document.images]) {
    img.scrollIntoView({block: "center"});
    await loaded(img);
  }
  window.scrollTo(0, 0);
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 300)));
  // Chromium keeps layout shifts out of getEntriesByType(): only an observer sees them.
  const shifts = await new Promise((done) => {
    const observer = new PerformanceObserver((list) => done(list.getEntries()));
    observer.observe({type: "layout-shift", buffered: true});
    setTimeout(() => done([]), 1000);
  });
  let total = 0;
  for (const shift of shifts) {
    if (!shift.hadRecentInput) total += shift.value;
  }
  const images = [...document.images];
  return {shift: total, images: images.length, loaded: images.filter((i) => i.naturalWidth).length};
}
"""


def prepare(env: dict[str, str], slug: str) -> dict[str, Any]:
    """Mark key events and add photos to the imported seed; return its coverage times."""
    out = manage(
        [
            "shell",
            "-c",
            PREPARE % {"slug": slug, "every": KEY_EVENT_EVERY, "photos": PHOTOS},
        ],
        env,
        timeout=300,
    )
    found = re.search(r"^BENCH (.*)$", out, re.M)
    if not found:
        raise BenchError(f"preparing the seed printed nothing:\n{out[-1000:]}")
    return json.loads(found.group(1))


def moments(start: str, end: str, count: int = MOMENTS) -> list[str]:
    """``count`` moments evenly spread from the coverage's start to its end."""
    first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)
    step = (last - first) / (count - 1)
    return [(first + step * n).isoformat() for n in range(count)]


def time_moments(port: int, path: str, at: list[str], gets: int = GETS_PER_MOMENT) -> dict:
    """GET ``path?at=`` for each moment ``gets`` times on one keep-alive connection."""
    conn = HTTPConnection(HOST, port, timeout=30)
    timings: list[float] = []
    sizes: list[int] = []
    try:
        for moment in at:
            url = f"{path}?{urlencode({'at': moment})}"
            for index in range(gets + 1):
                status, body, elapsed = timed_get(conn, url)
                if status != 200:
                    return {"status": status, "url": url}
                if index:  # the first GET of each moment warms nothing up for the others
                    timings.append(elapsed)
                    sizes.append(len(body))
    finally:
        conn.close()
    return {
        "status": 200,
        "moments": len(at),
        "requests": len(timings),
        **stats.p50_p99_ms(timings),
        "max_bytes": max(sizes),
    }


def _keep(sink: list[Response], response: Response) -> None:
    # A function of ours: Playwright marks its handlers, which a bound list.append refuses.
    sink.append(response)


def first_render(port: int, path: str) -> dict[str, Any]:
    """Load the page in Chromium once, cold, and measure what it fetched and how it moved."""
    if not os.access(CHROMIUM, os.X_OK):
        raise BenchError(f"skipped: {CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BenchError("skipped: Playwright is not installed") from None
    sizes: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                responses: list[Response] = []
                page.on("response", functools.partial(_keep, responses))
                page.goto(f"http://{HOST}:{port}{path}", wait_until="load")
                # The first render's: live.js imports its later features after the load event.
                first = list(responses)
                shift = page.evaluate(_LAYOUT_SHIFT)
                html = sum(len(r.body()) for r in first if r.request.resource_type == "document")
                scripts = sum(len(r.body()) for r in first if r.request.resource_type == "script")
                sizes.update(
                    {
                        "html_bytes": html,
                        "js_bytes": scripts,
                        f"shift_{width}": shift["shift"],
                        "images": shift["images"],
                        "images_loaded": shift["loaded"],
                    }
                )
                page.close()
        finally:
            browser.close()
    return sizes


def coverage_moments(info: dict[str, Any]) -> list[str]:
    # A minute after the start, so the first moment already shows an update.
    start = datetime.fromisoformat(info["start"]) + timedelta(minutes=1)
    return moments(start.isoformat(), info["end"])
