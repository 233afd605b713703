"""The text the benchmarks publish: entry bodies of a fixed size, stamped with the send time."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

#: Body size of a benchmark update, in characters (an ordinary live-blog paragraph).
BODY_SIZE = 600

_SOURCE_TEXT = (
    "officials said the convoy reached the crossing before dawn while residents waited "
    "outside the municipal building for news of relatives as aid agencies prepared "
    "shelters and the regional council met again to review the figures it released "
    "earlier in the day according to a statement read by a spokesperson"
)
_WORDS = _SOURCE_TEXT.split()


def body(index: int, size: int = BODY_SIZE) -> str:
    """A deterministic paragraph of about ``size`` characters (never more) for update ``index``."""
    return paragraph(random.Random(index), f"Update {index}:", size, _WORDS)


def paragraph(rng: random.Random, opening: str, size: int, vocabulary: Sequence[str]) -> str:
    """``opening``, then words drawn from ``vocabulary`` to about ``size`` characters (never
    more), ending with a full stop: the same text for the same ``rng`` state."""
    words = [opening]
    length = len(opening)
    while length < size:
        word = rng.choice(vocabulary)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[: size - 1].rstrip() + "."


def stamp_headline(now: float | None = None) -> str:
    """The headline that carries the send time (wall clock, shared by all local processes)."""
    return f"t={time.time() if now is None else now:.6f}"


def read_stamp(headline: str) -> float | None:
    """The send time in a headline written by ``stamp_headline``, or None."""
    if not headline.startswith("t="):
        return None
    try:
        return float(headline[2:])
    except ValueError:
        return None
