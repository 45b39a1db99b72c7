"""The dashboard's "today": the open incidents now, how many nobody has, how many are
breaching soon or have breached a target, and the major incidents in progress, from the
same indexes the queues count with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from helpdesk.extensions import db
from helpdesk.lifecycle import OPEN_STATUSES
from helpdesk.models import Incident
from helpdesk.reads.major_incidents import banner
from helpdesk.reads.queues import breaching_count_query


def today(now: datetime) -> dict[str, Any]:
    """The numbers of the dashboard's first row, at `now`."""
    open_, unassigned, breached = db.session.execute(
        select(
            func.count(),
            func.count().filter(Incident.assigned_agent_id.is_(None)),
            func.count().filter(
                or_(
                    Incident.response_breached_at.is_not(None),
                    Incident.resolution_breached_at.is_not(None),
                )
            ),
        ).where(Incident.status.in_(OPEN_STATUSES))
    ).one()
    return {
        "open": open_,
        "unassigned": unassigned,
        "breaching_soon": int(db.session.scalar(breaching_count_query(now)) or 0),
        "breached": breached,
        "major_incidents": [
            {"reference": entry.reference, "title": entry.public_title} for entry in banner()
        ],
    }
