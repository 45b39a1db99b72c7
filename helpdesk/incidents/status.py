"""Status changes: the state machine applied and audited (the SLA clock reads its pauses
off the trail: each change records `from`, `to` and a hold's reason)."""

from __future__ import annotations

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core.errors import InvalidInput
from helpdesk.incidents.audit import record
from helpdesk.incidents.events import StatusMoved
from helpdesk.models import Incident, User, utcnow


def move_to(
    incident: Incident,
    actor: User | None,
    target: str,
    hold_reason: str | None = None,
    action: str = "status_changed",
) -> None:
    """Apply one allowed transition, record it and publish it; callers commit."""
    try:
        lifecycle.check_transition(incident.status, target)
    except lifecycle.TransitionNotAllowed as error:
        raise InvalidInput(str(error)) from error
    if target == lifecycle.ON_HOLD and hold_reason not in lifecycle.HOLD_REASONS:
        raise InvalidInput("Choose why the incident is on hold.")
    now = utcnow()
    previous = incident.status
    incident.status = target
    incident.status_changed_at = now
    incident.last_public_activity_at = now  # the requester sees every status change
    incident.on_hold_reason = hold_reason if target == lifecycle.ON_HOLD else None
    if previous == lifecycle.RESOLVED and target != lifecycle.CLOSED:
        incident.resolved_at = None  # reopened: the earlier resolution no longer stands
    if target == lifecycle.CLOSED:
        incident.closed_at = now
    details = {"from": previous, "to": target}
    if hold_reason and target == lifecycle.ON_HOLD:
        details["reason"] = hold_reason
    record(incident, actor, action, **details)
    events.publish(StatusMoved(incident))
