"""Resolving a major incident: its own incident, every open child (each requester gets the
usual resolved mail, whose "still broken" link reopens their own incident), and a final
public update, all in one unit of work."""

from __future__ import annotations

from helpdesk import incidents
from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents.audit import record
from helpdesk.major_incidents.checks import (
    PUBLIC_TEXT_MAX,
    ensure_agent_on_current,
    reference,
)
from helpdesk.major_incidents.events import MajorIncidentResolved
from helpdesk.major_incidents.updates import RESOLVED_PHASE, publish_update
from helpdesk.models import Incident, MajorIncident, User, utcnow
from helpdesk.reads.major_incidents import children

RESOLUTION_CODE = "fixed"


@unit_of_work
def resolve(major: MajorIncident, actor: User, notes: str, public_message: str) -> list[Incident]:
    """Resolve the major incident (agents only): its incident with `notes` (unless resolved
    already), each open child with a notice naming the major incident and the public
    message, and a final "resolved" update to every subscriber. Returns the children
    resolved."""
    ensure_agent_on_current(actor, major)
    notes = check.required_text(notes, "Resolution notes")
    message = check.required_text(public_message, "The public message", PUBLIC_TEXT_MAX)
    if major.incident.is_open:
        incidents.resolve(major.incident, actor, RESOLUTION_CODE, notes)
    resolved = [child for child in children(major) if _open(child)]
    for child in resolved:
        incidents.resolve(child, actor, RESOLUTION_CODE, child_notice(major, message))
    publish_update(major, actor, RESOLVED_PHASE, message)
    major.resolved_at = utcnow()
    record(
        major.incident,
        actor,
        "major_resolved",
        children=[child.reference for child in resolved],
    )
    events.publish(MajorIncidentResolved(major, actor))
    commit()
    return resolved


def _open(child: Incident) -> bool:
    """A child still being worked on (a merged one lives on in its target)."""
    return child.is_open and child.merged_into_id is None


def child_notice(major: MajorIncident, message: str) -> str:
    """A child's resolution notes: which major incident resolved it, and the public message."""
    return (
        f"Resolved together with the major incident {reference(major)} "
        f"({major.public_title}):\n\n{message}"
    )
