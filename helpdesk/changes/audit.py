"""Writing a change's audit trail; only the changes package calls this."""

from __future__ import annotations

from typing import Any

from helpdesk.core import audit
from helpdesk.models import AuditEvent, Change, User
from helpdesk.models.audit import CHANGE


def record(change: Change, actor: User | None, action: str, **details: Any) -> AuditEvent:
    """Append an audit event about the change and mark it as just changed, at the event's
    time (as incidents' trail does)."""
    event = audit.record(CHANGE, change.id, actor, action, **details)
    change.updated_at = event.created_at
    return event
