"""Writing an incident's audit trail; only the service layer calls this."""

from __future__ import annotations

from typing import Any

from helpdesk.core import audit
from helpdesk.models import AuditEvent, Incident, User
from helpdesk.models.audit import INCIDENT


def record(incident: Incident, actor: User | None, action: str, **details: Any) -> AuditEvent:
    """Append an audit event and mark the incident as just changed, at the event's time."""
    event = audit.record(INCIDENT, incident.id, actor, action, **details)
    incident.updated_at = event.created_at
    return event
