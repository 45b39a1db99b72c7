"""The incident-management KPIs over a range and filters, aggregated in SQL from the facts
table (helpdesk.models.report), as one plain dict: the page, the CSV and the API's
`/reports/kpis` all show this dict, so they cannot disagree. The definitions are in the
README ("Reports") and at helpdesk.reports.facts and helpdesk.measures; None means nothing
was measured.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from helpdesk import measures
from helpdesk.extensions import db
from helpdesk.models import (
    IncidentFacts,
    IncidentOpenSpan,
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
    opened = _opened(period, only)
    resolved = _resolved(period, only)
    return {
        "opened": opened["count"],
        "resolved": resolved["count"],
        "backlog_end": backlog_at(period.end, only),
        "mtta_seconds": opened["mtta"],
        "mttr_seconds": resolved["mttr"],
        "mttr_sla_seconds": resolved["mttr_sla"],
        "fcr_rate": measures.rate(resolved["first_contact"], resolved["count"]),
        "reopen_rate": measures.rate(resolved["reopened"], resolved["count"]),
        "escalation_rate": measures.rate(opened["escalated"], opened["count"]),
        "sla": _sla(period, only),
        "csat": _csat(period, only),
        "mtbf_seconds_by_service": _mtbf(period, only),
        "resolved_by_agent": _resolved_by_agent(period, only),
    }


def _in(column: InstrumentedAttribute[Any], period: ReportRange) -> ColumnElement[bool]:
    """The column's instant falls in the range."""
    return and_(column >= period.start, column < period.end)


def _opened(period: ReportRange, only: ReportFilter) -> dict[str, Any]:
    """Opened incidents: how many, how many escalated, and the time to acknowledge."""
    where = and_(_in(F.opened_at, period), only.applied())
    count, escalated, acknowledged, total = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((F.escalated, 1), else_=0)), 0),
            func.count(F.mtta_seconds),
            func.sum(F.mtta_seconds),
        ).where(where)
    ).one()
    return {
        "count": count,
        "escalated": escalated,
        "mtta": _summary(F.mtta_seconds, F.opened_at, period, only, acknowledged, total),
    }


def _resolved(period: ReportRange, only: ReportFilter) -> dict[str, Any]:
    """Resolved incidents: counts for the rates, and the resolution times."""
    rows = db.session.execute(
        select(
            F.priority,
            func.count(),
            func.coalesce(func.sum(case((F.first_contact.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((F.reopened, 1), else_=0)), 0),
            func.sum(F.mttr_seconds),
            func.count(F.mttr_sla_seconds),
            func.sum(F.mttr_sla_seconds),
        )
        .where(_in(F.resolved_at, period), only.applied())
        .group_by(F.priority)
    ).all()
    count = sum(row[1] for row in rows)
    mttr: dict[str, Any] = _summary(
        F.mttr_seconds, F.resolved_at, period, only, count, sum(row[4] or 0 for row in rows)
    )
    mttr["by_priority"] = {
        f"P{row[0]}": _summary(
            F.mttr_seconds, F.resolved_at, period, _with_priority(only, row[0]), row[1], row[4]
        )
        for row in sorted(rows)
    }
    sla_count = sum(row[5] for row in rows)
    sla_total = sum(row[6] or 0 for row in rows)
    return {
        "count": count,
        "first_contact": sum(row[2] for row in rows),
        "reopened": sum(row[3] for row in rows),
        "mttr": mttr,
        "mttr_sla": _summary(F.mttr_sla_seconds, F.resolved_at, period, only, sla_count, sla_total),
    }


def _with_priority(only: ReportFilter, priority: int) -> ReportFilter:
    """The same filter narrowed to one priority."""
    return ReportFilter(**{**vars(only), "priority": priority})


def _summary(
    value: InstrumentedAttribute[Any],
    instant: InstrumentedAttribute[Any],
    period: ReportRange,
    only: ReportFilter,
    count: int,
    total: float | None,
) -> dict[str, float | None]:
    """Mean, median and 90th percentile of a measured time (all None when none was)."""
    if not count:
        return {"mean": None, "median": None, "p90": None}
    low, high = measures.median_ranks(count)
    middle = _ranked(value, instant, period, only, low, high - low + 1)
    return {
        "mean": measures.mean(total, count),
        "median": sum(middle) / len(middle),
        "p90": _ranked(value, instant, period, only, measures.nearest_rank(count, 0.9), 1)[0],
    }


def _ranked(
    value: InstrumentedAttribute[Any],
    instant: InstrumentedAttribute[Any],
    period: ReportRange,
    only: ReportFilter,
    rank: int,
    how_many: int,
) -> list[float]:
    """The values at ranks `rank`.. in ascending order. The range is put to the database as
    an expression so that it walks the value's index in order (counting off the ranks)
    instead of sorting every value in the range."""
    shielded = func.coalesce(instant, instant)
    rows = db.session.scalars(
        select(value)
        .where(value.is_not(None), shielded >= period.start, shielded < period.end)
        .where(only.applied())
        .order_by(value)
        .offset(rank)
        .limit(how_many)
    ).all()
    return [float(row) for row in rows]


def _sla(period: ReportRange, only: ReportFilter) -> dict[str, float | None]:
    """The share of targets met among those met or breached in the range."""
    shares = {}
    for target in ("response", "resolution"):
        met = getattr(F, f"{target}_met")
        judged_at = getattr(F, f"{target}_judged_at")
        judged, kept = db.session.execute(
            select(func.count(), func.coalesce(func.sum(case((met, 1), else_=0)), 0)).where(
                _in(judged_at, period), met.is_not(None), only.applied()
            )
        ).one()
        shares[f"{target}_met_rate"] = measures.rate(kept, judged)
    return shares


def _csat(period: ReportRange, only: ReportFilter) -> dict[str, float | int | None]:
    """Ratings of the incidents closed in the range."""
    closed, responses, average = db.session.execute(
        select(func.count(), func.count(F.rating), func.avg(F.rating)).where(
            _in(F.closed_at, period), only.applied()
        )
    ).one()
    return {
        "average": float(average) if average is not None else None,
        "responses": responses,
        "closed": closed,
        "response_rate": measures.rate(responses, closed),
    }


def backlog_at(moment: datetime, only: ReportFilter) -> int:
    """How many incidents were open (neither resolved, closed nor cancelled) at `moment`."""
    statement = select(func.count()).select_from(IncidentOpenSpan).where(open_at(moment))
    if only.any:
        statement = statement.join(F, F.incident_id == IncidentOpenSpan.incident_id).where(
            only.applied()
        )
    return db.session.scalar(statement) or 0


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
    outages: dict[int, set[measures.Outage]] = {}
    for service_id, opened_at, resolved_at in db.session.execute(own.union(declared)):
        outages.setdefault(service_id or 0, set()).add((opened_at, resolved_at))
    names = dict(
        db.session.execute(select(Service.id, Service.name).where(Service.id.in_(outages))).all()
    )
    return {
        names[service_id]: measures.mean_time_between(found, period.end)
        for service_id, found in sorted(outages.items(), key=lambda item: names[item[0]])
    }


def _resolved_by_agent(period: ReportRange, only: ReportFilter) -> dict[str, int]:
    """How many incidents each agent resolved (by address), most first."""
    rows = db.session.execute(
        select(User.email, func.count())
        .select_from(F)
        .join(User, User.id == F.agent_id)
        .where(_in(F.resolved_at, period), only.applied())
        .group_by(User.email)
        .order_by(func.count().desc(), User.email)
    ).all()
    return {email: count for email, count in rows}
