"""The incident-management KPIs over a range and filters, as one plain dict: counts, sums,
means and each agent's resolved count from the daily summary (kpi_days), medians,
percentiles and failures from the facts (helpdesk.models.report). The page, the CSV and
the API's `/reports/kpis` all show this dict, so they cannot disagree. The definitions are in the
README ("Reports") and at helpdesk.reports.facts and helpdesk.measures; None means nothing
was measured.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from helpdesk import measures
from helpdesk.extensions import db
from helpdesk.models import (
    KPI_COUNTS,
    IncidentFacts,
    IncidentOpenSpan,
    KpiDay,
    MajorIncident,
    Service,
    User,
    major_incident_services,
)
from helpdesk.reads.report_scope import ReportFilter, ReportRange

F = IncidentFacts
FAILURE_PRIORITIES = (1, 2)


def kpis(period: ReportRange, only: ReportFilter) -> dict[str, Any]:
    """Every measure of the API's `/reports/kpis`, over `period`, for the incidents `only`
    selects."""
    totals = _totals(period, only)
    by_priority = summed(period, only, KpiDay.priority)
    return {
        "opened": totals["opened"],
        "resolved": totals["resolved"],
        "backlog_end": backlog_until(period.last, only),
        "mtta_seconds": _summary(
            F.mtta_seconds, F.opened_at, period, only, totals["acknowledged"], totals["mtta_ms"]
        ),
        "mttr_seconds": {
            **_summary(
                F.mttr_seconds, F.resolved_at, period, only, totals["resolved"], totals["mttr_ms"]
            ),
            "by_priority": _resolution_by_priority(period, only, by_priority),
        },
        "mttr_sla_seconds": _summary(
            F.mttr_sla_seconds,
            F.resolved_at,
            period,
            only,
            totals["mttr_sla_counted"],
            totals["mttr_sla_ms"],
        ),
        "fcr_rate": measures.rate(totals["first_contact"], totals["resolved"]),
        "reopen_rate": measures.rate(totals["reopened"], totals["resolved"]),
        "escalation_rate": measures.rate(totals["escalated"], totals["opened"]),
        "sla": {
            f"{target}_met_rate": measures.rate(
                totals[f"{target}_met"], totals[f"{target}_met"] + totals[f"{target}_breached"]
            )
            for target in ("response", "resolution")
        },
        "csat": {
            "average": measures.rate(totals["rating_sum"], totals["rated"]),
            "responses": totals["rated"],
            "closed": totals["closed"],
            "response_rate": measures.rate(totals["rated"], totals["closed"]),
        },
        "mtbf_seconds_by_service": _mtbf(period, only),
        "resolved_by_agent": _resolved_by_agent(period, only),
    }


def _totals(period: ReportRange, only: ReportFilter) -> dict[str, int]:
    """Every count and sum of the daily summary over the range."""
    return summed(period, only).get(None, dict.fromkeys(KPI_COUNTS, 0))


def summed(
    period: ReportRange, only: ReportFilter, *by: Any, grouped: tuple[str, ...] = ()
) -> dict[Any, dict[str, int]]:
    """The daily summary's counts and sums over the range, in one row per value of the
    KpiDay columns `by` (keyed by the value, or a tuple of several), or one row keyed None;
    `grouped` names the dimensions among them the summary sums over (ReportFilter.summed)."""
    group = list(by)
    rows = db.session.execute(
        select(*group, *[func.coalesce(func.sum(getattr(KpiDay, name)), 0) for name in KPI_COUNTS])
        .where(KpiDay.day >= period.first, KpiDay.day <= period.last, only.summed(grouped))
        .group_by(*group)
    )
    return {
        _key(row, len(group)): dict(zip(KPI_COUNTS, map(int, row[len(group) :]), strict=True))
        for row in rows
    }


def _key(row: Any, width: int) -> Any:
    """A summed row's key: None, its one grouped value, or the tuple of several."""
    return None if width == 0 else row[0] if width == 1 else tuple(row[:width])


def _in(column: InstrumentedAttribute[Any], period: ReportRange) -> ColumnElement[bool]:
    """The column's instant falls in the range."""
    return and_(column >= period.start, column < period.end)


def _with_priority(only: ReportFilter, priority: int) -> ReportFilter:
    """The same filter narrowed to one priority."""
    return ReportFilter(**{**vars(only), "priority": priority})


def _summary(
    value: InstrumentedAttribute[Any],
    instant: InstrumentedAttribute[Any],
    period: ReportRange,
    only: ReportFilter,
    count: int,
    total_ms: int,
) -> dict[str, float | None]:
    """Mean, median and 90th percentile of a measured time (all None when none was); the
    mean from the summary's total in milliseconds."""
    if not count:
        return {"mean": None, "median": None, "p90": None}
    low, high = measures.median_ranks(count)
    middle = _ranked(value, instant, period, only, low, high - low + 1, count)
    median = sum(middle) / len(middle)
    p90 = _ranked(value, instant, period, only, measures.nearest_rank(count, 0.9), 1, count)[0]
    return {"mean": total_ms / count / 1000, "median": median, "p90": p90}


def _resolution_by_priority(
    period: ReportRange, only: ReportFilter, by_priority: dict[Any, dict[str, int]]
) -> dict[str, dict[str, float | None]]:
    """The resolution times per priority resolved in the range, each priority's walked in
    the index that starts with the priority."""
    return {
        f"P{p}": _summary(
            F.mttr_seconds,
            F.resolved_at,
            period,
            _with_priority(only, p),
            row["resolved"],
            row["mttr_ms"],
        )
        for p, row in sorted(by_priority.items())
        if row["resolved"]
    }


def _ranked(
    value: InstrumentedAttribute[Any],
    instant: InstrumentedAttribute[Any],
    period: ReportRange,
    only: ReportFilter,
    rank: int,
    how_many: int,
    count: int,
) -> list[float]:
    """The values at ranks `rank`.. in ascending order, of `count` values, read by walking
    the value's index in order and counting off the ranks (the index holds the range's
    instant and the filters' dimensions, so the walk reads no table rows) instead of
    sorting every value in the range: for a year at a million incidents a few tens of
    milliseconds against a second. From the top for a rank in the upper half (the 90th
    percentile is a tenth of the way down)."""
    moment = _shielded(instant)
    from_top = rank > count // 2
    rows = db.session.scalars(
        select(value)
        .where(value.is_not(None), moment >= period.start, moment < period.end)
        .where(only.applied())
        .order_by(value.desc() if from_top else value)
        .offset(count - rank - how_many if from_top else rank)
        .limit(how_many)
    ).all()
    return sorted(float(row) for row in rows)


def _shielded(
    instant: InstrumentedAttribute[Any],
) -> ColumnElement[Any] | InstrumentedAttribute[Any]:
    """The instant as the percentile walk compares it: on SQLite as an expression no index
    answers, or its planner would take the instant's index and sort, however many values
    the range holds; PostgreSQL's planner weighs the walk against the sort itself (a short
    range with few values is sorted faster)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.coalesce(instant, instant)
    return instant


def backlog_until(last: date, only: ReportFilter) -> int:
    """How many incidents were open (neither resolved, closed nor cancelled) at the end of
    the day `last`: the open spans begun by then less those ended by then, from the
    summary's days."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(KpiDay.spans_started - KpiDay.spans_ended), 0)).where(
                KpiDay.day <= last, only.summed()
            )
        )
        or 0
    )


def open_at(moment: datetime) -> ColumnElement[bool]:
    """The open span covers `moment`."""
    return and_(
        IncidentOpenSpan.started_at < moment,
        or_(IncidentOpenSpan.ended_at.is_(None), IncidentOpenSpan.ended_at >= moment),
    )


def _mtbf(period: ReportRange, only: ReportFilter) -> dict[str, float | None]:
    """Mean time between failures per service name (README, "Reports")."""
    where = and_(_in(F.opened_at, period), only.applied())
    own = select(F.service_id, F.opened_at, F.resolved_at).where(
        where, F.priority.in_(FAILURE_PRIORITIES), F.service_id.is_not(None)
    )
    declared = (
        select(major_incident_services.c.service_id, F.opened_at, F.resolved_at)
        .join(MajorIncident, MajorIncident.id == major_incident_services.c.major_incident_id)
        .join(F, F.incident_id == MajorIncident.incident_id)
        .where(where)
    )
    # An outage read twice (a major incident that is also a P1 on its service) merges with
    # itself.
    outages: dict[int, list[measures.Outage]] = {}
    for service_id, opened_at, resolved_at in db.session.execute(own.union_all(declared)):
        outages.setdefault(service_id or 0, []).append((opened_at, resolved_at))
    names = dict(
        db.session.execute(select(Service.id, Service.name).where(Service.id.in_(outages))).all()
    )
    return {
        names[service_id]: measures.mean_time_between(found, period.end)
        for service_id, found in sorted(outages.items(), key=lambda item: names[item[0]])
    }


def _resolved_by_agent(period: ReportRange, only: ReportFilter) -> dict[str, int]:
    """How many incidents each agent credited resolved (by address), most first, from the
    summary's rows per agent (incidents with no agent left out)."""
    counted = summed(period, only, KpiDay.agent_id, grouped=("agent_id",))
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(counted))).all())
    rows = sorted(
        (-row["resolved"], emails[agent])
        for agent, row in counted.items()
        if agent in emails and row["resolved"]
    )
    return {email: -resolved for resolved, email in rows}
