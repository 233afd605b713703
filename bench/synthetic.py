"""A synthetic blog in the day-headings format, for the import and rebuild benchmarks.

It reads like ``fixtures/evn-report-artsakh-september-2023.txt``: an introduction, then day
headings ("September 30") newest first, each followed by entries that begin with a clock
time ("10:41 p.m.: ...") newest first. Each entry gets its own minute where the days allow,
and about 200 characters of plain text.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from bench.payload import paragraph

#: The newest day of the synthetic coverage; the year is passed to the importer (--year).
LAST_DAY = date(2023, 9, 30)
MINUTES_PER_DAY = 24 * 60
ENTRY_SIZE = 200

_SOURCE_TEXT = (
    "the council confirmed that buses left the square at noon and volunteers handed out "
    "water bread and blankets while the ministry counted arrivals at the border post and "
    "reporters spoke with families who had travelled through the night along the road"
)
_WORDS = _SOURCE_TEXT.split()


def _clock(minute_of_day: int) -> str:
    hour, minute = divmod(minute_of_day, 60)
    meridiem = "a.m." if hour < 12 else "p.m."
    return f"{(hour % 12) or 12}:{minute:02d} {meridiem}"


def _text(rng: random.Random, number: int) -> str:
    return paragraph(rng, f"Synthetic entry {number}:", ENTRY_SIZE, _WORDS)


def write_day_headings(path: Path, entries: int, *, seed: int = 2023) -> int:
    """Write a blog of ``entries`` entries to ``path``; returns the number of days it spans."""
    rng = random.Random(seed)
    days = max(1, -(-entries // MINUTES_PER_DAY))
    per_day = [entries // days + (1 if i < entries % days else 0) for i in range(days)]
    number = entries
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "A synthetic live blog for the import benchmark; every entry below was generated.\n"
        )
        for offset, count in enumerate(per_day):
            day = LAST_DAY - timedelta(days=offset)
            out.write(f"{day:%B} {day.day}\n")
            for i in range(count):
                # Newest first: from 11:59 p.m. down, spread evenly over the day.
                minute = MINUTES_PER_DAY - 1 - (i * MINUTES_PER_DAY) // count
                out.write(f"{_clock(minute)}: {_text(rng, number)}\n")
                number -= 1
    return days


def write_html_page(path: Path, size: int = 5_000_000, *, seed: int = 2023) -> int:
    """Write a saved live page of about ``size`` bytes; returns its number of updates.

    Built like large newsrooms' pages: LiveBlogPosting JSON-LD listing only the latest 20
    updates, and each update an ``<article>`` with a ``<time datetime>``, headline, byline,
    paragraphs, a link, share buttons and tracking attributes, inside the usual page chrome.
    """
    rng = random.Random(seed)
    articles: list[str] = []
    total = 0
    number = 0
    moment = LAST_DAY.toordinal() * MINUTES_PER_DAY + MINUTES_PER_DAY - 1
    while total < size - 20_000:
        number += 1
        day = date.fromordinal(moment // MINUTES_PER_DAY)
        hour, minute = divmod(moment % MINUTES_PER_DAY, 60)
        stamp = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+04:00"
        paragraphs = "".join(
            f'<p class="body-text" data-component="text-block">{_text(rng, number)} '
            f'<a href="https://example.org/story/{number}-{i}">Read the report</a>.</p>'
            for i in range(3)
        )
        article = (
            f'<article id="post-{number}" class="live-post" data-post-id="{number}" '
            f'data-analytics="post-view-{number}"><div class="post-meta"><time datetime="{stamp}">'
            f'{hour:02d}:{minute:02d}</time><span class="byline">By Reporter {number % 7}</span>'
            f'</div><h2 class="post-headline">Synthetic update {number}</h2>{paragraphs}'
            '<div class="share-tools"><button>Share</button><button>Copy link</button></div>'
            "</article>\n"
        )
        articles.append(article)
        total += len(article)
        moment -= 7
    latest = [
        {
            "@type": "BlogPosting",
            "headline": f"Synthetic update {n}",
            "datePublished": "2023-09-30T12:00:00+04:00",
            "url": f"https://example.org/live#post-{n}",
        }
        for n in range(1, 21)
    ]
    import json

    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Synthetic live page</title>"
        '<script type="application/ld+json">'
        + json.dumps({"@type": "LiveBlogPosting", "liveBlogUpdate": latest})
        + "</script></head><body><nav><a href='/'>Home</a></nav><main><h1>Synthetic</h1>\n"
    )
    path.write_text(head + "".join(articles) + "</main><footer>Footer</footer></body></html>")
    return number
