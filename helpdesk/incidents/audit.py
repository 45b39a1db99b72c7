"""Writing the audit trail; only the service layer calls this."""

from __future__ import annotations

from typing import Any

from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, User, utcnow


def record(incident: Incident, actor: User | None, action: str, **details: Any) -> AuditEvent:
    """Append an audit event and mark the incident as just changed."""
    now = utcnow()
    incident.updated_at = now
    event = AuditEvent(
        incident_id=incident.id,
        actor_id=actor.id if actor else None,
        action=action,
        details=details,
        created_at=now,
    )
    db.session.add(event)
    return event
