"""What a report covers: a range of whole days in the reporting time zone, and the filters
(team, category, service, priority, channel), turned into conditions on the facts table."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, true

from helpdesk.models import IncidentFacts

EVERY = ("day", "week")
LONGEST_RANGE_DAYS = 366 * 5


@dataclass(frozen=True)
class ReportFilter:
    """The incidents a report counts, by their current team, category, service, priority
    and channel (None: any)."""

    team_id: int | None = None
    category_id: int | None = None
    service_id: int | None = None
    priority: int | None = None
    channel: str | None = None

    def applied(self) -> ColumnElement[bool]:
        """The condition on the facts table (true when nothing is filtered)."""
        conditions = [
            getattr(IncidentFacts, name) == value
            for name, value in vars(self).items()
            if value is not None
        ]
        return and_(true(), *conditions)

    @property
    def any(self) -> bool:
        """Whether anything is filtered."""
        return any(value is not None for value in vars(self).values())


@dataclass(frozen=True)
class ReportRange:
    """The days `first` to `last`, both included, in the time zone `zone`."""

    first: date
    last: date
    zone: str = "UTC"

    def __post_init__(self) -> None:
        """Refuse a range that ends before it starts or spans more than five years."""
        if self.last < self.first:
            raise ValueError("The range ends before it starts.")
        if (self.last - self.first).days >= LONGEST_RANGE_DAYS:
            raise ValueError("A report covers at most five years.")

    @property
    def start(self) -> datetime:
        """The first instant of the range (naive UTC)."""
        return self.midnight(self.first)

    @property
    def end(self) -> datetime:
        """The first instant after the range (naive UTC)."""
        return self.midnight(self.last + timedelta(days=1))

    def midnight(self, day: date) -> datetime:
        """The instant a day begins in the reporting zone, as naive UTC."""
        local = datetime.combine(day, time(), tzinfo=ZoneInfo(self.zone))
        return local.astimezone(UTC).replace(tzinfo=None)

    def periods(self, every: str) -> list[tuple[date, datetime, datetime]]:
        """The range cut into days or weeks (from Monday, the first and last cut to the
        range): each period's first day, and its first and next instants."""
        if every not in EVERY:
            raise ValueError(f"Periods are one of {', '.join(EVERY)}.")
        starts = [self.first]
        step = timedelta(days=1 if every == "day" else 7)
        following = self.first + step if every == "day" else _next_monday(self.first)
        while following <= self.last:
            starts.append(following)
            following += step
        edges = [*starts, self.last + timedelta(days=1)]
        return [
            (first, self.midnight(first), self.midnight(after))
            for first, after in itertools.pairwise(edges)
        ]


def _next_monday(day: date) -> date:
    """The Monday after `day`."""
    return day + timedelta(days=7 - day.weekday())
