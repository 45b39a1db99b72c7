"""The reports' arithmetic as pure functions: which rank a percentile reads, rates that say
"not measured" instead of dividing by zero, and the mean time between failures.

- The median of n values is the middle one, or the mean of the two middle ones when n is
  even; the 90th percentile is the value at rank ceil(0.9 n) in ascending order (nearest
  rank), so it is always a time that was measured.
- A rate is a share of what was measured: None when nothing was.
- The time between failures of a service: its failures are outages from their opening to
  their resolution (an unresolved one lasts to the end of the range); outages that overlap
  are one; the mean time between failures is the mean of the gaps from the end of one
  outage to the start of the next, None with fewer than two outages.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from datetime import datetime

Outage = tuple[datetime, datetime | None]


def median_ranks(count: int) -> tuple[int, int]:
    """The 0-based ranks whose values' mean is the median of `count` sorted values (the
    same rank twice when `count` is odd)."""
    if count < 1:
        raise ValueError("no values have a median")
    return (count - 1) // 2, count // 2


def nearest_rank(count: int, share: float) -> int:
    """The 0-based rank of the value at `share` (0 < share <= 1) by the nearest-rank rule."""
    if count < 1:
        raise ValueError("no values have a percentile")
    return max(math.ceil(share * count), 1) - 1


def rate(part: int, whole: int) -> float | None:
    """part / whole, None when whole is 0."""
    return part / whole if whole else None


def mean(total: float | None, count: int) -> float | None:
    """total / count, None when nothing was counted."""
    return (total or 0.0) / count if count else None


def mean_time_between(outages: Iterable[Outage], range_end: datetime) -> float | None:
    """The mean gap in seconds between one service's outages (see the module docstring)."""
    merged: list[list[datetime]] = []
    for start, end in sorted(outages, key=lambda outage: outage[0]):
        finish = min(end, range_end) if end is not None else range_end
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([start, finish])
    gaps = [(after[0] - before[1]).total_seconds() for before, after in itertools.pairwise(merged)]
    return sum(gaps) / len(gaps) if gaps else None
