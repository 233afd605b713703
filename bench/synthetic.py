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
    words = [f"Synthetic entry {number}:"]
    length = len(words[0])
    while length < ENTRY_SIZE:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[: ENTRY_SIZE - 1].rstrip() + "."


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
