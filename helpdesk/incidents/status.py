"""Status changes: the state machine applied, with SLA pause bookkeeping and audit."""

from __future__ import annotations

from datetime import datetime

from helpdesk import lifecycle, sla
from helpdesk.core.errors import InvalidInput
from helpdesk.incidents.audit import record
from helpdesk.models import Incident, User, utcnow


def move_to(
    incident: Incident,
    actor: User | None,
    target: str,
    hold_reason: str | None = None,
    action: str = "status_changed",
) -> None:
    """Apply one allowed transition and record it; callers commit."""
    try:
        lifecycle.check_transition(incident.status, target)
    except lifecycle.TransitionNotAllowed as error:
        raise InvalidInput(str(error)) from error
    if target == lifecycle.ON_HOLD and hold_reason not in lifecycle.HOLD_REASONS:
        raise InvalidInput("Choose why the incident is on hold.")
    now = utcnow()
    _resume_sla(incident, now)
    previous = incident.status
    incident.status = target
    incident.last_public_activity_at = now  # the requester sees every status change
    incident.on_hold_reason = hold_reason if target == lifecycle.ON_HOLD else None
    if target == lifecycle.ON_HOLD and hold_reason == "awaiting_user":
        incident.sla_paused_at = now
    if previous == lifecycle.RESOLVED and target != lifecycle.CLOSED:
        incident.resolved_at = None  # reopened: the earlier resolution no longer stands
    if target == lifecycle.CLOSED:
        incident.closed_at = now
    details = {"from": previous, "to": target}
    if hold_reason and target == lifecycle.ON_HOLD:
        details["reason"] = hold_reason
    record(incident, actor, action, **details)


def _resume_sla(incident: Incident, now: datetime) -> None:
    """End an SLA pause: push both due times back by the time spent waiting on the user."""
    if incident.sla_paused_at is None:
        return
    incident.response_due_at = sla.resume(incident.response_due_at, incident.sla_paused_at, now)
    incident.resolution_due_at = sla.resume(incident.resolution_due_at, incident.sla_paused_at, now)
    incident.sla_paused_at = None
