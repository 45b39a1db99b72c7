"""The reports' charts as numbers: per day or week, incidents opened and resolved, the
backlog at each period's end, the mean resolution time by priority, the share of SLA
targets met, and the satisfaction; and the backlog's ages at the end of the range.

The periods' numbers add up the daily summary's days (local days of the reporting zone,
so a day is 23 or 25 hours across a change of daylight saving time); the backlog at each
period's end is the backlog before the range plus the open spans begun less those ended.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from helpdesk import measures
from helpdesk.extensions import db
from helpdesk.models import IncidentFacts, IncidentOpenSpan, KpiDay
from helpdesk.reads.kpis import backlog_until, open_at, summed
from helpdesk.reads.report_scope import ReportFilter, ReportRange

F = IncidentFacts
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
    periods = [first for first, _start, _end in period.periods(every)]
    totals = {first: Counter[str]() for first in periods}
    by_priority: dict[date, dict[int, Counter[str]]] = {first: {} for first in periods}
    for (day, priority), row in summed(period, only, KpiDay.day, KpiDay.priority).items():
        first = periods[bisect_right(periods, day) - 1]
        totals[first].update(row)
        by_priority[first].setdefault(priority, Counter()).update(row)
    backlog = backlog_until(period.first - timedelta(days=1), only)
    rows = []
    for first in periods:
        counts = totals[first]
        backlog += counts["spans_started"] - counts["spans_ended"]
        rows.append(_row(first, counts, by_priority[first], backlog))
    return rows


def _row(
    first: date, counts: Counter[str], by_priority: dict[int, Counter[str]], backlog: int
) -> dict[str, Any]:
    """One period's numbers."""
    return {
        "period": first.isoformat(),
        "opened": counts["opened"],
        "resolved": counts["resolved"],
        "backlog": backlog,
        "mttr_by_priority": {
            f"P{priority}": row["mttr_ms"] / row["resolved"] / 1000
            for priority, row in sorted(by_priority.items())
            if row["resolved"]
        },
        **{
            f"{target}_met_rate": measures.rate(
                counts[f"{target}_met"], counts[f"{target}_met"] + counts[f"{target}_breached"]
            )
            for target in ("response", "resolution")
        },
        "closed": counts["closed"],
        "ratings": counts["rated"],
        "csat_average": measures.rate(counts["rating_sum"], counts["rated"]),
    }


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
