"""What a report covers: a range of whole days in the reporting time zone, and the filters
(team, category, service, priority, channel), turned into conditions on the facts table."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, true

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import IncidentFacts, KpiDay, ReportState
from helpdesk.models.report import ANY_CHANNEL, ANY_ID

EVERY = ("day", "week")
# The dimensions the daily summary sums over (priority is in every one of its rows; the
# agent is one to group by, not a filter).
SUMMED = ("team_id", "category_id", "service_id", "channel", "agent_id")
SUMMARY_STATE = 1  # the id of ReportState's one row
LONGEST_RANGE_DAYS = 366 * 5
# The days a report may name (beyond them a local midnight may not be a UTC instant).
EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)


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
        return and_(true(), *self._equal(IncidentFacts))

    def summed(self, grouped: tuple[str, ...] = ()) -> ColumnElement[bool]:
        """The condition on the daily summary: the filters, on the rows of the level that
        sums over every other dimension (KpiDay), also fixing the dimensions `grouped` by."""
        fixed = {name for name in SUMMED if getattr(self, name, None) is not None} | set(grouped)
        conditions = self._equal(KpiDay)
        for name in SUMMED:
            column = getattr(KpiDay, name)
            every = ANY_CHANNEL if name == "channel" else ANY_ID
            if len(fixed) > 1 or name in fixed:
                conditions.append(column != every)
            else:
                conditions.append(column == every)
        return and_(*conditions)

    def _equal(self, model: type[IncidentFacts] | type[KpiDay]) -> list[ColumnElement[bool]]:
        """Each filter given, as its column of `model` equal to it."""
        return [
            getattr(model, name) == value for name, value in vars(self).items() if value is not None
        ]

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
        if self.first < EARLIEST or self.last > LATEST:
            raise ValueError(f"Choose days from {EARLIEST} to {LATEST}.")

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


def reporting_range(first: date, last: date) -> ReportRange:
    """The days `first` to `last` in the zone the daily summary counts days in."""
    return ReportRange(first, last, reporting_zone())


def reporting_zone() -> str:
    """The zone the daily summary counts days in: the configured REPORTS_TIME_ZONE, or,
    until `helpdesk reports rebuild` has counted again after a change of it, the one before
    (see zone_pending)."""
    state = db.session.get(ReportState, SUMMARY_STATE)
    return state.zone if state is not None else settings().reports_time_zone


def zone_pending() -> str | None:
    """The configured reporting zone when the summary still counts another one's days."""
    state = db.session.get(ReportState, SUMMARY_STATE)
    configured = settings().reports_time_zone
    return configured if state is not None and state.zone != configured else None


def _next_monday(day: date) -> date:
    """The Monday after `day`."""
    return day + timedelta(days=7 - day.weekday())
