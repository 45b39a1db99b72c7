"""The reports' tables: the categories and services most incidents were opened on, and per
agent the incidents open at the end of the range and resolved in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select

from helpdesk.extensions import db
from helpdesk.models import Category, IncidentFacts, IncidentOpenSpan, KpiDay, Service, User
from helpdesk.reads.kpis import open_at
from helpdesk.reads.report_scope import ReportFilter, ReportRange

F = IncidentFacts
TOP = 10


def top_opened(period: ReportRange, only: ReportFilter) -> dict[str, list[tuple[str, int]]]:
    """The categories and services with the most incidents opened in the range, most first
    (at most ten each; incidents with none are left out)."""
    tops = {}
    opened = func.sum(KpiDay.opened)
    for name, model, key in (
        ("categories", Category, KpiDay.category_id),
        ("services", Service, KpiDay.service_id),
    ):
        rows = db.session.execute(
            select(model.name, opened)
            .select_from(KpiDay)
            .join(model, model.id == key)
            .where(
                KpiDay.day >= period.first,
                KpiDay.day <= period.last,
                only.summed(grouped=(key.key,)),
            )
            .group_by(model.name)
            .having(opened > 0)
            .order_by(opened.desc(), model.name)
            .limit(TOP)
        )
        tops[name] = [(label, int(count)) for label, count in rows]
    return tops


def per_agent(
    period: ReportRange, only: ReportFilter, resolved: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Each agent with incidents open at the end of the range (assigned to them) or resolved
    in it, by name; `resolved` is kpis()' `resolved_by_agent` (by address: assigned to
    them, or resolved by them when none was assigned), so the page sums it once."""
    open_counts = dict(
        db.session.execute(
            select(F.agent_id, func.count())
            .select_from(IncidentOpenSpan)
            .join(F, F.incident_id == IncidentOpenSpan.incident_id)
            .where(open_at(period.end), F.agent_id.is_not(None), only.applied())
            .group_by(F.agent_id)
        ).all()
    )
    people = db.session.execute(
        select(User.id, User.name, User.email).where(
            or_(User.id.in_(open_counts), User.email.in_(resolved))
        )
    )
    return sorted(
        (
            {
                "name": name,
                "email": email,
                "open": open_counts.get(ident, 0),
                "resolved": resolved.get(email, 0),
            }
            for ident, name, email in people
        ),
        key=lambda row: (row["name"].lower(), row["email"]),
    )
