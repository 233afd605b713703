"""Percentiles and the summaries the report prints."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``, linearly interpolated; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def p50_p99_ms(seconds: Sequence[float]) -> dict[str, float]:
    """The median and 99th percentile of timings in seconds, in the report's milliseconds."""
    return {"p50_ms": 1000 * median(seconds), "p99_ms": 1000 * percentile(seconds, 99)}


def thirds(seqs: Sequence[int], latencies: Sequence[float]) -> tuple[float, float]:
    """Median latency of the first and of the last third of the updates (by seq)."""
    if not seqs:
        return math.nan, math.nan
    low, high = min(seqs), max(seqs)
    span = (high - low + 1) / 3
    first = [x for s, x in zip(seqs, latencies, strict=True) if s < low + span]
    last = [x for s, x in zip(seqs, latencies, strict=True) if s >= high + 1 - span]
    return median(first), median(last)
