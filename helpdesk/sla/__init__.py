"""SLA arithmetic: due times from a priority and a business-hours calendar, pure functions.

Targets come in two kinds: "clock" time runs around the clock (P1/P2 are worked 24x7),
"business" time only counts the calendar's working hours (a P3's 3 business days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta


@dataclass(frozen=True)
class Calendar:
    """Working hours: the same window on each working weekday (0 = Monday)."""

    start: time = time(9, 0)
    end: time = time(17, 0)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))

    @property
    def day_length(self) -> timedelta:
        """Length of one working day."""
        return datetime.combine(datetime.min, self.end) - datetime.combine(datetime.min, self.start)


@dataclass(frozen=True)
class Target:
    """A time allowance: a duration, counted on the clock or in business hours."""

    duration: timedelta
    business: bool = False


@dataclass(frozen=True)
class SlaTargets:
    """First-response and resolution targets for one priority."""

    response: Target
    resolution: Target


def _business_days(days: int, calendar: Calendar = Calendar()) -> Target:
    return Target(calendar.day_length * days, business=True)


DEFAULT_TARGETS: dict[int, SlaTargets] = {
    1: SlaTargets(Target(timedelta(minutes=15)), Target(timedelta(hours=4))),
    2: SlaTargets(Target(timedelta(hours=1)), Target(timedelta(hours=8))),
    3: SlaTargets(Target(timedelta(hours=4), business=True), _business_days(3)),
    4: SlaTargets(Target(timedelta(hours=8), business=True), _business_days(5)),
    5: SlaTargets(_business_days(1), _business_days(10)),
}


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """Return the moment when `duration` of working time has elapsed after `start`."""
    remaining = duration
    moment = start
    while True:
        window_start = datetime.combine(moment.date(), calendar.start)
        window_end = datetime.combine(moment.date(), calendar.end)
        if moment.weekday() in calendar.weekdays and moment < window_end:
            moment = max(moment, window_start)
            available = window_end - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        moment = datetime.combine(moment.date() + timedelta(days=1), time(0, 0))


def due_at(start: datetime, target: Target, calendar: Calendar = Calendar()) -> datetime:
    """Return when a target falls due for work that started at `start`."""
    if target.business:
        return add_business_time(start, target.duration, calendar)
    return start + target.duration


def due_times(
    start: datetime,
    priority: int,
    targets: dict[int, SlaTargets] = DEFAULT_TARGETS,
    calendar: Calendar = Calendar(),
) -> tuple[datetime, datetime]:
    """Return (first response due, resolution due) for an incident opened at `start`."""
    chosen = targets[priority]
    return due_at(start, chosen.response, calendar), due_at(start, chosen.resolution, calendar)


def resume(due: datetime | None, paused_at: datetime, resumed_at: datetime) -> datetime | None:
    """Push a due time back by the length of a pause (no due time stays none)."""
    if due is None:
        return None
    return due + max(resumed_at - paused_at, timedelta(0))
