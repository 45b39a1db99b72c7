"""The reports' charts as numbers: per day or week, incidents opened and resolved, the
backlog at each period's end, the mean resolution time by priority, the share of SLA
targets met, and the satisfaction; and the backlog's ages at the end of the range.

Each period's counts come from one query that joins the periods (a list of their first
and next instants, worked out in the reporting zone, so a day is a local day across
a change of daylight saving time) to the facts' indexed instants.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, case, func, select, values
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.expression import column
from sqlalchemy.types import DateTime

from helpdesk import measures
from helpdesk.extensions import db
from helpdesk.models import IncidentFacts, IncidentOpenSpan
from helpdesk.reads.kpis import backlog_at, open_at
from helpdesk.reads.report_scope import ReportFilter, ReportRange

F = IncidentFacts
# A period's numbers before anything is counted in it.
EMPTY_PERIOD: dict[str, Any] = {
    "opened": 0,
    "resolved": 0,
    "backlog": 0,
    "response_met_rate": None,
    "resolution_met_rate": None,
    "closed": 0,
    "ratings": 0,
    "csat_average": None,
}
# The backlog's ages at the end of a range: (label, up to this age).
AGES: tuple[tuple[str, timedelta | None], ...] = (
    ("under 1 day", timedelta(days=1)),
    ("1-3 days", timedelta(days=3)),
    ("3-7 days", timedelta(days=7)),
    ("7-30 days", timedelta(days=30)),
    ("over 30 days", None),
)


def series(period: ReportRange, only: ReportFilter, every: str = "day") -> list[dict[str, Any]]:
    """One row per day or week: its first day, opened, resolved, the backlog at its end,
    mean resolution time by priority (P1..P5), the share of targets met, and the average
    rating and ratings of the incidents closed in it."""
    periods = period.periods(every)
    table = _periods_table(periods)
    rows: dict[int, dict[str, Any]] = {
        number: {"period": first.isoformat(), **EMPTY_PERIOD, "mttr_by_priority": {}}
        for number, (first, _start, _end) in enumerate(periods)
    }
    for number, count in _counted(table, F.opened_at, only):
        rows[number]["opened"] = count
    for number, values_ in _resolutions(table, only).items():
        rows[number].update(values_)
    for number, values_ in _judgements(table, only).items():
        rows[number].update(values_)
    for number, values_ in _ratings(table, only).items():
        rows[number].update(values_)
    _add_backlog(rows, periods, table, only)
    return [rows[number] for number in sorted(rows)]


def ages(moment: datetime, only: ReportFilter) -> dict[str, int]:
    """How many incidents open at `moment` had been open (since their opening) how long."""
    statement = (
        select(
            *[
                func.coalesce(
                    func.sum(case((_age_band(F.opened_at, moment, low, high), 1), else_=0)), 0
                )
                for low, high in _bands()
            ]
        )
        .select_from(IncidentOpenSpan)
        .join(F, F.incident_id == IncidentOpenSpan.incident_id)
        .where(open_at(moment), only.applied())
    )
    counts = db.session.execute(statement).one()
    return {label: counts[number] for number, (label, _limit) in enumerate(AGES)}


def _bands() -> list[tuple[timedelta | None, timedelta | None]]:
    """Each age band's lower and upper bound (None: open-ended)."""
    limits = [limit for _label, limit in AGES]
    return list(zip([None, *limits[:-1]], limits, strict=True))


def _age_band(
    opened: InstrumentedAttribute[datetime],
    moment: datetime,
    low: timedelta | None,
    high: timedelta | None,
) -> Any:
    """Opened between `high` and `low` before `moment` (the age is at least low, under high)."""
    conditions = []
    if low is not None:
        conditions.append(opened <= moment - low)
    if high is not None:
        conditions.append(opened > moment - high)
    return and_(*conditions)


def _periods_table(periods: list[tuple[date, datetime, datetime]]) -> Any:
    """The periods as a VALUES list named in a WITH clause (SQLite names no columns of a
    VALUES list in FROM): number, first instant, next instant."""
    rows = [(number, start, end) for number, (_first, start, end) in enumerate(periods)]
    return (
        values(
            column("number", Integer),
            column("starts", DateTime),
            column("ends", DateTime),
            name="periods",
        )
        .data(rows)
        .cte("periods")
    )


def _within(table: Any, instant: InstrumentedAttribute[Any] | ColumnClause[Any]) -> Any:
    """The instant falls in the period."""
    return and_(instant >= table.c.starts, instant < table.c.ends)


def _counted(
    table: Any, instant: InstrumentedAttribute[Any], only: ReportFilter
) -> list[tuple[int, int]]:
    """How many facts' instants fall in each period."""
    return [
        (number, count)
        for number, count in db.session.execute(
            select(table.c.number, func.count())
            .select_from(table)
            .join(F, _within(table, instant))
            .where(only.applied())
            .group_by(table.c.number)
        )
    ]


def _resolutions(table: Any, only: ReportFilter) -> dict[int, dict[str, Any]]:
    """Per period: how many were resolved, and their mean resolution time by priority."""
    found: dict[int, dict[str, Any]] = {}
    rows = db.session.execute(
        select(table.c.number, F.priority, func.count(), func.avg(F.mttr_seconds))
        .select_from(table)
        .join(F, _within(table, F.resolved_at))
        .where(only.applied())
        .group_by(table.c.number, F.priority)
    )
    for number, priority, count, mean in rows:
        entry = found.setdefault(number, {"resolved": 0, "mttr_by_priority": {}})
        entry["resolved"] += count
        entry["mttr_by_priority"][f"P{priority}"] = float(mean) if mean is not None else None
    return found


def _judgements(table: Any, only: ReportFilter) -> dict[int, dict[str, Any]]:
    """Per period: the share of response and resolution targets met among those judged."""
    found: dict[int, dict[str, Any]] = {}
    for target in ("response", "resolution"):
        met = getattr(F, f"{target}_met")
        rows = db.session.execute(
            select(table.c.number, func.count(), func.sum(case((met.is_(True), 1), else_=0)))
            .select_from(table)
            .join(F, _within(table, getattr(F, f"{target}_judged_at")))
            .where(met.is_not(None), only.applied())
            .group_by(table.c.number)
        )
        for number, judged, kept in rows:
            found.setdefault(number, {})[f"{target}_met_rate"] = measures.rate(kept or 0, judged)
    return found


def _ratings(table: Any, only: ReportFilter) -> dict[int, dict[str, Any]]:
    """Per period: the average rating and how many of the incidents closed in it were rated."""
    rows = db.session.execute(
        select(table.c.number, func.count(), func.count(F.rating), func.avg(F.rating))
        .select_from(table)
        .join(F, _within(table, F.closed_at))
        .where(only.applied())
        .group_by(table.c.number)
    )
    return {
        number: {
            "closed": closed,
            "ratings": rated,
            "csat_average": float(average) if average is not None else None,
        }
        for number, closed, rated, average in rows
    }


def _add_backlog(
    rows: dict[int, dict[str, Any]],
    periods: list[tuple[date, datetime, datetime]],
    table: Any,
    only: ReportFilter,
) -> None:
    """The backlog at each period's end: the backlog at the range's start, plus the spans
    begun and minus the spans ended by then (open at T: begun before T, not ended before T)."""
    began = dict(_span_edges(table, IncidentOpenSpan.started_at, only))
    ended = dict(_span_edges(table, IncidentOpenSpan.ended_at, only))
    backlog = backlog_at(periods[0][1], only)
    for number in sorted(rows):
        backlog += began.get(number, 0) - ended.get(number, 0)
        rows[number]["backlog"] = backlog


def _span_edges(
    table: Any, instant: InstrumentedAttribute[Any], only: ReportFilter
) -> list[tuple[int, int]]:
    """How many open spans began (or ended) in each period."""
    statement = (
        select(table.c.number, func.count())
        .select_from(table)
        .join(IncidentOpenSpan, _within(table, instant))
        .group_by(table.c.number)
    )
    if only.any:
        statement = statement.join(F, F.incident_id == IncidentOpenSpan.incident_id).where(
            only.applied()
        )
    return [(number, count) for number, count in db.session.execute(statement)]
