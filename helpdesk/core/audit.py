"""Writing the audit trail for any record; the services that own a record call this.

It only appends: what else an event means for its subject (an incident's updated_at, say)
is the owning service's business, so this module knows no kind of record.
"""

from __future__ import annotations

from typing import Any

from helpdesk.extensions import db
from helpdesk.models import AuditEvent, User, utcnow


def record(
    subject_type: str, subject_id: int, actor: User | None, action: str, **details: Any
) -> AuditEvent:
    """Append an audit event about one record, stamped now, to the session."""
    event = AuditEvent(
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor.id if actor else None,
        action=action,
        details=details,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event
