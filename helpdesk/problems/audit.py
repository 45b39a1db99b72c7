"""Writing a problem's audit trail; only the problem service calls this."""

from __future__ import annotations

from typing import Any

from helpdesk.core import audit
from helpdesk.models import AuditEvent, Problem, User
from helpdesk.models.audit import PROBLEM


def record(problem: Problem, actor: User | None, action: str, **details: Any) -> AuditEvent:
    """Append an audit event about the problem and mark it as just changed."""
    event = audit.record(PROBLEM, problem.id, actor, action, **details)
    problem.updated_at = event.created_at
    return event
