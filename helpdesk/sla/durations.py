"""SLA durations as people write them in policies: "90m", "4h", "2h30m", "1d".

Units, largest first, each at most once: d (24 hours), h, m, s. A day is 24 hours of counted
time, not a working day: on a business clock "1d" is three 8-hour days, so business targets
are better written in hours ("24h" says the same thing and reads less surprisingly).
`format_duration` writes the shortest spelling, so parse and format round-trip.
"""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_PATTERN = re.compile("".join(rf"(?:(\d+){unit})?" for unit, _ in _UNITS))


class DurationError(ValueError):
    """A duration that cannot be read or written; the message names the bad text."""


def parse_duration(text: str) -> timedelta:
    """The duration `text` spells, e.g. "2h30m"; raises DurationError otherwise."""
    match = _PATTERN.fullmatch(text.strip())
    if not match or not any(match.groups()):
        raise DurationError(f"{text!r} is not a duration like 90m, 4h, 2h30m or 1d")
    seconds = sum(
        int(count) * size for count, (_, size) in zip(match.groups(), _UNITS, strict=True) if count
    )
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    """The shortest spelling of a whole number of seconds, e.g. "2h30m"; "0m" for zero."""
    if duration < timedelta(0) or duration.microseconds:
        raise DurationError(f"{duration} is not a whole, non-negative number of seconds")
    rest = duration.days * 86400 + duration.seconds
    parts = []
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0m"
