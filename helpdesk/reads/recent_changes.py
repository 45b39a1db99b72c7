"""Changes near an incident: those to its service in the 72 hours before it was opened (the
usual suspects when something breaks), and the incidents a change caused.

A change counts when the window it ran in (its actual window; still running when it has
no end) overlaps the 72 hours up to the incident's opening, or, when it has not run, its
planned window does. A cancelled change changed nothing and never counts. The lookup starts
from the service (ix_change_services_service_change) and reads the changes by primary key.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from helpdesk.extensions import db
from helpdesk.models import Change, Incident, change_services

LOOKBACK = timedelta(hours=72)
SHOWN = 20


def recent_changes(incident: Incident, limit: int = SHOWN) -> list[Change]:
    """The changes to the incident's service whose window overlaps the 72 hours before it
    was opened, the latest to start first."""
    if incident.service_id is None:
        return []
    opened = incident.created_at
    since = opened - LOOKBACK
    ran = Change.actual_start.is_not(None)
    ran_then = and_(
        ran,
        Change.actual_start <= opened,
        or_(Change.actual_end.is_(None), Change.actual_end >= since),
    )
    planned_then = and_(~ran, Change.planned_start <= opened, Change.planned_end >= since)
    started = func.coalesce(Change.actual_start, Change.planned_start)
    query = (
        select(Change)
        .join(change_services, change_services.c.change_id == Change.id)
        .where(
            change_services.c.service_id == incident.service_id,
            Change.status != "cancelled",
            or_(ran_then, planned_then),
        )
        .order_by(started.desc(), Change.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def caused_incidents(change: Change) -> list[Incident]:
    """The incidents marked as caused by the change, newest first."""
    query = (
        select(Incident)
        .where(Incident.caused_by_change_id == change.id)
        .order_by(Incident.created_at.desc(), Incident.id.desc())
    )
    return list(db.session.scalars(query))
