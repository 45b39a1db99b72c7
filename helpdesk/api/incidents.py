"""Incidents through the API, read as the web shows them: a requester sees their own (and
those they are copied on) with the public conversation; an agent sees every incident with
its internal notes and events. Anyone else gets the same 404 as for no such incident."""

from __future__ import annotations

from spectree import Response

from helpdesk.access import can_view_incident, can_view_message
from helpdesk.api.auth import caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.problems import REFUSALS, Problem, problem
from helpdesk.api.schemas import IncidentOut, MessageOut
from helpdesk.models import Incident, Message, User
from helpdesk.reads.conversation import thread
from helpdesk.reads.incident_search import find_by_reference


@bp.get("/incidents/<reference>")
@requires("read")
@spec.validate(
    resp=Response(HTTP_200=IncidentOut, HTTP_404=Problem, **REFUSALS),
    tags=["incidents"],
)
def incident(reference: str) -> IncidentOut | object:
    """One incident with its conversation (internal notes and events for agents only)."""
    viewer = caller()
    found = find_by_reference(reference)
    if found is None or not can_view_incident(viewer, found):
        return problem(404, "not_found", f"No incident {reference[:40]} that you may see.")
    return incident_out(found, viewer)


def incident_out(incident: Incident, viewer: User) -> IncidentOut:
    """The incident as `viewer` may see it."""
    team, agent = incident.assigned_team, incident.assigned_agent
    return IncidentOut(
        reference=incident.reference or "",
        subject=incident.subject,
        description=incident.description,
        status=incident.status,
        priority=incident.priority,
        impact=incident.impact,
        urgency=incident.urgency,
        channel=incident.channel,
        category=incident.category.name if incident.category else None,
        service=incident.service.name if incident.service else None,
        requester=incident.requester.email,
        assigned_team=team.name if team else None,
        assigned_agent=agent.name if agent else None,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        response_due_at=incident.response_due_at,
        resolution_due_at=incident.resolution_due_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        messages=[
            message_out(message)
            for message in thread(incident)
            if can_view_message(viewer, message)
        ],
    )


def message_out(message: Message) -> MessageOut:
    """One message as the API sends it."""
    return MessageOut(
        id=message.id,
        kind=message.kind,
        author=message.author.name if message.author else None,
        body=message.body,
        created_at=message.created_at,
    )
