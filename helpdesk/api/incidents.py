"""Incidents through the API, read as the web shows them: a requester sees their own (and
those they are copied on) with the public conversation; an agent sees every incident with
its internal notes and events. Anyone else gets the same 404 as for no such incident.

Lists are the console's queues for agents (the same filters and keyset pages, read by
helpdesk.reads.queues) and "my incidents" for requesters; a page's `next` URL continues it.
A create opens the incident as the portal (a requester) or the console (an agent logging it
for a requester) would, and takes an Idempotency-Key.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import url_for
from spectree import Response

from helpdesk import accounts, incidents
from helpdesk.access import can_view_incident, can_view_message
from helpdesk.api.auth import caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.catalogue import entry_named
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.schemas import (
    AttachmentOut,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    IncidentQuery,
    IncidentSummary,
    MessageOut,
    sent,
)
from helpdesk.channels import AGENT_CHANNELS
from helpdesk.core.errors import InvalidInput, NotAllowed, NotFound
from helpdesk.models import Incident, Message, User
from helpdesk.reads import my_incidents, queues
from helpdesk.reads.conversation import thread
from helpdesk.reads.in_order import incidents_in_order
from helpdesk.reads.incident_search import find_by_reference

# What only agents may filter a list by.
AGENT_FILTERS = ("queue", "category", "team", "agent", "q", "sort", "priority")
LISTED = Response(HTTP_200=IncidentPage, HTTP_422=Problem, **REFUSALS)
CREATED = Response(HTTP_201=IncidentOut, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS)


@bp.get("/incidents")
@requires("read")
@spec.validate(resp=LISTED, tags=["incidents"])
def incident_list(query: IncidentQuery) -> IncidentPage | object:
    """A page of incidents: an agent's queue (default `open`) with the console's filters,
    or a requester's own incidents (default: open and awaiting their confirmation)."""
    viewer = caller()
    if viewer.is_agent:
        return _queue_page(viewer, query)
    used = [name for name in AGENT_FILTERS if getattr(query, name) is not None]
    if used:
        raise NotAllowed(f"Only agents filter by {', '.join(used)}; filter by status.")
    return _own_page(viewer, query)


def _queue_page(viewer: User, query: IncidentQuery) -> IncidentPage:
    """One page of a console queue, as the agent's queue page reads it."""
    name = query.queue or "open"
    sorts = queues.sorts_for(name)
    sort = query.sort if query.sort in sorts else next(iter(sorts))
    listing = queues.Listing(
        queue=name,
        viewer=viewer,
        filters=queues.Filters(
            status=query.status,
            priority=query.priority,
            category_id=query.category,
            team_id=query.team,
            agent_id=query.agent,
            q=(query.q or "").strip(),
        ),
        sort=sort,
        after=_cursor(query.after, sorts[sort]),
        size=query.limit,
    )
    page = queues.load_page(listing)
    return _page(page.incidents, query, page.next_cursor)


def _own_page(viewer: User, query: IncidentQuery) -> IncidentPage:
    """One page of the requester's incidents, most recently active first."""
    statuses = (query.status,) if query.status else my_incidents.tab_statuses("open")
    after = _cursor(query.after, queues.SORTS["activity"])
    position = (after.value, after.id) if after and isinstance(after.value, datetime) else None
    ids = my_incidents.mine_after(viewer, statuses, position, query.limit + 1)
    found = incidents_in_order(ids[: query.limit], Incident.assigned_team)
    last = found[-1] if found and len(ids) > query.limit else None
    more = queues.Cursor(last.last_public_activity_at, last.id).encode() if last else None
    return _page(found, query, more)


def _cursor(text: str | None, sort: queues.Sort) -> queues.Cursor | None:
    """The position a `next` URL carries; anything else is refused, not read from the top."""
    if text is None:
        return None
    cursor = queues.Cursor.decode(text, sort)
    if cursor is None:
        raise InvalidInput("`after` is not a position this list gave: follow its `next` URL.")
    return cursor


def _page(found: list[Incident], query: IncidentQuery, cursor: str | None) -> IncidentPage:
    """The page, with the URL of the next one carrying the same filters."""
    following = None
    if cursor is not None:
        kept = query.model_dump(exclude_none=True, exclude={"after"})
        following = url_for("api.incident_list") + "?" + urlencode({**kept, "after": cursor})
    return IncidentPage(items=[summary_out(incident) for incident in found], next=following)


@bp.post("/incidents")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=CREATED, tags=["incidents"])
def incident_create(json: IncidentIn) -> tuple[IncidentOut, int, dict[str, str]]:
    """Open an incident: for the caller, or (agents) for the requester named by address."""
    json = sent(json)
    viewer = caller()
    report = incidents.IncidentReport(
        subject=json.subject,
        description=json.description,
        category_id=entry_named("categories", json.category),
        service_id=entry_named("services", json.service),
        impact=json.impact,
        urgency=json.urgency,
        channel=json.channel,
    )
    opened = _open(viewer, _requester(viewer, json), report)
    location = url_for("api.incident", reference=opened.reference)
    return incident_out(opened, viewer), 201, {"Location": location}


def _requester(viewer: User, json: IncidentIn) -> User:
    """Who the incident is for: the caller, or the person an agent names."""
    if json.requester is None:
        return viewer
    if not viewer.is_agent:
        raise NotAllowed("Only agents open incidents for someone else.")
    person = accounts.find_by_email(json.requester)
    if person is None:
        raise InvalidInput(
            f"No one has the address {json.requester[:80]}: create them first "
            "(POST /api/v1/people)."
        )
    return person


def _open(viewer: User, requester: User, report: incidents.IncidentReport) -> Incident:
    """Open as the web would: a caller's incident logged by an agent counts as answered."""
    if report.channel in AGENT_CHANNELS:
        if not viewer.is_agent:
            raise NotAllowed("Only agents log incidents taken by phone, walk-in or chat.")
        return incidents.open_for_requester(viewer, requester, report)
    return incidents.open_incident(requester, report, actor=viewer)


@bp.get("/incidents/<reference>")
@requires("read")
@spec.validate(
    resp=Response(HTTP_200=IncidentOut, HTTP_404=Problem, **REFUSALS),
    tags=["incidents"],
)
def incident(reference: str) -> IncidentOut:
    """One incident with its conversation (internal notes and events for agents only)."""
    return incident_out(visible(reference), caller())


def visible(reference: str) -> Incident:
    """The incident a URL names if the caller may see it; else the 404 of no incident (the
    same for one that exists and is someone else's)."""
    found = find_by_reference(reference)
    if found is None or not can_view_incident(caller(), found):
        raise NotFound(f"No incident {reference[:40]} that you may see.")
    return found


def incident_out(incident: Incident, viewer: User) -> IncidentOut:
    """The incident as `viewer` may see it."""
    owner_team, owner_agent = incident.owner_team, incident.owner_agent
    problem, change = incident.problem, incident.caused_by_change
    internal = viewer.is_agent
    return IncidentOut(
        **dict(summary_out(incident)),
        description=incident.description,
        impact=incident.impact,
        urgency=incident.urgency,
        owner_team=owner_team.name if owner_team else None,
        owner_agent=owner_agent.name if owner_agent else None,
        response_due_at=incident.response_due_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        parent=incident.parent.reference if incident.parent else None,
        problem=problem.reference if problem and internal else None,
        caused_by_change=change.reference if change and internal else None,
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
        attachments=[
            AttachmentOut(
                id=file.id,
                filename=file.filename,
                size=file.size,
                content_type=file.content_type,
                url=url_for(
                    "api.attachment", reference=message.incident.reference, attachment_id=file.id
                ),
            )
            for file in message.attachments
        ],
    )


def summary_out(incident: Incident) -> IncidentSummary:
    """The incident as a list shows it."""
    team, agent = incident.assigned_team, incident.assigned_agent
    return IncidentSummary(
        reference=incident.reference or "",
        subject=incident.subject,
        status=incident.status,
        priority=incident.priority,
        channel=incident.channel,
        category=incident.category.name if incident.category else None,
        service=incident.service.name if incident.service else None,
        requester=incident.requester.email,
        assigned_team=team.name if team else None,
        assigned_agent=agent.name if agent else None,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        resolution_due_at=incident.resolution_due_at,
    )
