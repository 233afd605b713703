"""The ``media`` part: image uploads, a reader page full of images, a push message with one.

Figures (goals from issue 14): a 12-megapixel JPEG uploaded to stored renditions (median of
several uploads, each of different bytes so that content addressing stores every one); the
reader page of a blog whose newest 50 entries each show an image, over HTTP from uvicorn;
the push message of an entry with an image.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bench.procs import BenchError, django_env, manage

if TYPE_CHECKING:
    from bench.scenarios import Run

SLUG = "bench-media"
PAGE_PATH = f"/blogs/{SLUG}/"
UPLOADS = 5
ENTRIES = 50

SETUP = """
import io, json, statistics, time
from PIL import Image, ImageFilter
from liveblog import broadcast, commands
from liveblog.api.serializers import EventSerializer
from liveblog.media import file_url
from liveblog.models import Event

def photo(width, height, seed, quality=90):
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 24 + seed).filter(ImageFilter.GaussianBlur(1))
    image = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()

blog = commands.blog_create(slug=%(slug)r, title="Benchmark images", actor="bench")
blog = commands.blog_open(blog=blog, actor="bench")
limits = {"max_bytes": 40 * 1024 * 1024, "max_pixels": 50_000_000}
timings, sizes = [], []
for seed in range(%(uploads)d):
    data = photo(4000, 3000, seed)
    sizes.append(len(data))
    started = time.perf_counter()
    commands.media_upload(blog=blog, data=data, filename="field.jpg", alt="A field photo",
                          actor="bench", **limits)
    timings.append(time.perf_counter() - started)
for n in range(%(entries)d):
    media = commands.media_upload(blog=blog, data=photo(1200, 800, 100 + n, 80), filename="",
                                  alt=f"Photo {n}", caption=f"Scene {n} from the harbour",
                                  credit="Bench Agency", actor="bench", **limits)
    entry = commands.entry_publish(
        blog=blog, actor="bench", headline=f"Update {n}",
        body=f"The water rose again near the harbour wall (update {n}).\\n\\n"
             f"![Photo {n} of the harbour]({file_url(media.name)})")
event = Event.objects.filter(blog=blog, entry_id=entry.pk).get()
message = broadcast.to_json(EventSerializer.represent(event))
print("BENCH " + json.dumps({
    "upload_seconds": timings, "upload_bytes": sizes, "push_bytes": len(message.encode()),
}))
"""


def media_part(run: Run) -> None:
    from bench.scenarios import _timed_gets

    settings = run.settings
    env = django_env(f"sqlite:///{run.tmp / 'media.sqlite3'}")
    env["LIVEBLOG_MEDIA_ROOT"] = str(run.tmp / "media")
    run.log("media: migrating, uploading 12-megapixel JPEGs and 50 entries with images")
    manage(["migrate", "--noinput", "-v", "0"], env, timeout=180)
    script = SETUP % {"slug": SLUG, "uploads": UPLOADS, "entries": ENTRIES}
    out = manage(["shell", "-c", script], env, timeout=600)
    found = re.search(r"^BENCH (.*)$", out, re.M)
    if not found:
        raise BenchError(f"the media setup printed no figures:\n{out[-1000:]}")
    figures: dict[str, Any] = json.loads(found.group(1))
    server = run.serve("media server", "server-media.log", env=env)
    server.wait_ready()
    run.log("media: timing the reader page of 50 entries with images")
    figures["page"] = _timed_gets(server.port, PAGE_PATH, settings.page_requests)
    run.results["media"] = figures
