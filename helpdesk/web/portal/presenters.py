"""What an incident's state means to the people who reported it, in their words.

The lifecycle's statuses are the service desk's bookkeeping: an incident an agent has
answered without assigning it is still "new", and "P5 planning" is a place in a queue.
The portal says what has happened and what to expect instead. Pure functions of plain
values, apart from the adapter at the end that reads them (and its SLA policy) off an
incident.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk import lifecycle
from helpdesk.models import Incident
from helpdesk.promises import service_promise
from helpdesk.reads.sla_policy import policy_of


@dataclass(frozen=True)
class PortalState:
    """A status as the requester side reads it: a short label, and a sentence saying more."""

    label: str
    detail: str


RECEIVED = PortalState("Received", "We have your report. The service desk will pick it up soon.")
PICKED_UP = PortalState(
    "Picked up", "The service desk has your incident and will start on it soon."
)
ANSWERED = PortalState(
    "Answered by the service desk", "The service desk has replied: see the conversation below."
)
WAITING_FOR_YOU = PortalState(
    "Waiting for your reply",
    "We are waiting for information from you. Please reply below so we can carry on.",
)
MERGED = PortalState("Merged", "This incident was merged into another one.")
SETTLED = {
    lifecycle.IN_PROGRESS: PortalState("In progress", "The service desk is working on it."),
    lifecycle.RESOLVED: PortalState(
        "Resolved", "We believe it is fixed. Please tell us whether it works for you now."
    ),
    lifecycle.CLOSED: PortalState("Closed", "This incident is closed."),
    lifecycle.CANCELLED: PortalState(
        "Cancelled", "This incident was cancelled or withdrawn; no more work is done on it."
    ),
}


def portal_state(
    status: str, hold_reason: str | None, answered: bool, taken: bool, merged: bool = False
) -> PortalState:
    """Say where an incident stands. A new or assigned one says what the user can tell has
    happened: an agent replied (`answered`), or someone has it (`taken`), or neither yet."""
    if merged:
        return MERGED
    if status == lifecycle.ON_HOLD:
        if hold_reason == "awaiting_user":
            return WAITING_FOR_YOU
        waiting_on = lifecycle.HOLD_REASONS.get(hold_reason or "", "waiting").lower()
        return PortalState("On hold", f"Work is paused: {waiting_on}.")
    if status in (lifecycle.NEW, lifecycle.ASSIGNED):
        if answered:
            return ANSWERED
        return PICKED_UP if taken or status == lifecycle.ASSIGNED else RECEIVED
    return SETTLED[status]


def handled_by(assigned_team: str | None, owner_team: str | None, engaged: bool) -> str:
    """Who has the incident, as far as the user needs to know: a team, or the service desk
    once it has done anything the user can see, or nobody yet."""
    return assigned_team or owner_team or ("The service desk" if engaged else "Not picked up yet")


@dataclass(frozen=True)
class Standing:
    """Everything the portal says about where an incident stands."""

    state: PortalState
    promise: str | None
    handled_by: str


def standing_of(incident: Incident) -> Standing:
    """Read the plain values off an incident and say where it stands. The user has had an
    answer once an agent replied or proposed a resolution (its notes outlive a reopening)."""
    answered = incident.first_response_at is not None or incident.resolution_notes is not None
    taken = any((incident.assigned_team_id, incident.assigned_agent_id, incident.owner_agent_id))
    team = incident.assigned_team.name if incident.assigned_team else None
    owner = incident.owner_team.name if incident.owner_team else None
    engaged = answered or taken or incident.status != lifecycle.NEW
    return Standing(
        state=portal_state(
            incident.status,
            incident.on_hold_reason,
            answered,
            taken,
            merged=incident.merged_into_id is not None,
        ),
        promise=service_promise(incident.status, incident.priority, answered, policy_of(incident)),
        handled_by=handled_by(team, owner, engaged),
    )
