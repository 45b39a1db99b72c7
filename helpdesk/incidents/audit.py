"""Writing an incident's audit trail, and reading it as it stands inside the unit writing it;
only the service layer calls this."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from helpdesk.core import audit
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, User
from helpdesk.models.audit import INCIDENT


def record(incident: Incident, actor: User | None, action: str, **details: Any) -> AuditEvent:
    """Append an audit event and mark the incident as just changed, at the event's time."""
    event = audit.record(INCIDENT, incident.id, actor, action, **details)
    incident.updated_at = event.created_at
    return event


def trail_so_far(incident: Incident) -> list[AuditEvent]:
    """The incident's audit trail in order: the stored events, then those this unit has
    added and not yet flushed (an incident opened in this unit has none stored yet)."""
    staged = [  # in the order they were added, which sorted() below keeps for ties
        row
        for row in db.session.new
        if isinstance(row, AuditEvent)
        and (row.subject_type, row.subject_id) == (INCIDENT, incident.id)
    ]
    if any(row.action == "opened" for row in staged):
        return staged
    stored = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.about(INCIDENT, incident.id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return sorted([*stored, *staged], key=lambda row: row.created_at)  # stable: ties keep order
