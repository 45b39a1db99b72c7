"""The reports' numbers as a manager reads them: durations in days, hours and minutes,
rates as percentages, days as "1 Dec"; a dash where nothing was measured."""

from __future__ import annotations

from datetime import date, timedelta

from helpdesk.web.filters import span

NOTHING = "—"


def duration_text(seconds: float | None) -> str:
    """A measured time, e.g. "1d 3h" or "1h 10m" (the exact seconds go beside it)."""
    return NOTHING if seconds is None else span(timedelta(seconds=seconds))


def percent_text(rate: float | None) -> str:
    """A share from 0 to 1 as a percentage with one decimal, e.g. "87.5%"."""
    return NOTHING if rate is None else f"{rate * 100:.1f}%"


def rating_text(average: float | None) -> str:
    """An average rating out of five, e.g. "4.25 of 5"."""
    return NOTHING if average is None else f"{average:.2f} of 5"


def count_text(count: float | None) -> str:
    """A count, e.g. "12"."""
    return NOTHING if count is None else f"{count:,.0f}"


def short_day(day: date) -> str:
    """A day on a chart's axis, e.g. "1 Dec"."""
    return f"{day.day} {day:%b}"


def long_day(day: date) -> str:
    """A day in a sentence or a table, e.g. "1 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"
