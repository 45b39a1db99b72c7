"""Problems through the API (agents only, as in the console): list them (the known errors
are `status=known_error`, searched with `q`), open one, read and change one, resolve it with
its fix (and its open incidents with it); and, on an incident, link it to a problem, unlink
it, or send its problem's workaround to the requester as a public reply.

Every operation calls the same service functions as the console (helpdesk.problems); a
request that changes several things runs them in one transaction, all or nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for
from spectree import Response

from helpdesk import problems
from helpdesk.api.auth import agents_only, caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.catalogue import entry_named, team_named
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.incident_actions import (
    CHANNEL,
    ON_INCIDENT,
    WITH_BODY,
    agent_with,
    created,
)
from helpdesk.api.incidents import visible
from helpdesk.api.problem_schemas import (
    LinkedIncident,
    ProblemChange,
    ProblemIn,
    ProblemLinkIn,
    ProblemOut,
    ProblemPage,
    ProblemQuery,
    ProblemSummary,
    ResolveProblemIn,
)
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.schemas import MessageOut, sent
from helpdesk.core.errors import InvalidInput, NotFound
from helpdesk.core.unit import transaction
from helpdesk.models import Change, Incident
from helpdesk.models import Problem as ProblemRecord
from helpdesk.reads import change_list
from helpdesk.reads import problems as problem_reads
from helpdesk.reads.incident_search import find_by_reference as find_incident

WORK = "work on problems"
TAGS = ["problems"]
LISTED = Response(HTTP_200=ProblemPage, HTTP_422=Problem, **REFUSALS)
OPENED = Response(HTTP_201=ProblemOut, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS)
READ = Response(HTTP_200=ProblemOut, HTTP_404=Problem, **REFUSALS)
WRITTEN = Response(
    HTTP_200=ProblemOut, HTTP_404=Problem, HTTP_415=Problem, HTTP_422=Problem, **REFUSALS
)
UNLINKED = Response("HTTP_204", HTTP_404=Problem, HTTP_422=Problem, **REFUSALS)
SENT = Response(HTTP_201=MessageOut, **ON_INCIDENT)


def problem_named(reference: str) -> ProblemRecord:
    """The problem a URL or a body names, or the 404 of none."""
    found = problem_reads.find_by_reference(reference)
    if found is None:
        raise NotFound(f"No problem {reference[:40]}.")
    return found


def incident_named(reference: str) -> Incident:
    """An incident a body names (agents see every incident), or a refusal naming it."""
    found = find_incident(reference)
    if found is None:
        raise InvalidInput(f"No incident {reference[:40]}.")
    return found


def change_named(reference: str | None) -> Change | None:
    """The change a body names by reference (CHG-000123), None for none."""
    if not reference or not reference.strip():
        return None
    found = change_list.find_by_reference(reference)
    if found is None:
        raise InvalidInput(f"No change {reference[:40]}.")
    return found


def summary_out(problem: ProblemRecord, open_count: int) -> ProblemSummary:
    """The problem as a list shows it."""
    return ProblemSummary(
        reference=problem.reference or "",
        title=problem.title,
        status=problem.status,
        priority=problem.priority,
        owner_team=problem.owner_team.name if problem.owner_team else None,
        owner_agent=problem.owner_agent.email if problem.owner_agent else None,
        services=[service.name for service in problem.services],
        open_incidents=open_count,
        created_at=problem.created_at,
        updated_at=problem.updated_at,
    )


def problem_out(problem: ProblemRecord) -> ProblemOut:
    """The problem in full."""
    linked = problem_reads.linked_incidents(problem)
    still_open = sum(1 for incident in linked if incident.is_open)
    return ProblemOut(
        **dict(summary_out(problem, still_open)),
        description=problem.description,
        root_cause=problem.root_cause,
        workaround=problem.workaround,
        fix=problem.fix,
        change=problem.change.reference if problem.change else None,
        incidents=[
            LinkedIncident(reference=i.reference or "", subject=i.subject, status=i.status)
            for i in linked
        ],
        resolved_at=problem.resolved_at,
        closed_at=problem.closed_at,
    )


@bp.get("/problems")
@requires("read")
@spec.validate(resp=LISTED, tags=TAGS)
def problem_list(query: ProblemQuery) -> ProblemPage:
    """A page of problems, most recently changed first, by status and search words."""
    agents_only(WORK)
    listing = problem_reads.listing(query.status, query.q, query.page, query.limit)
    counts = problem_reads.open_incident_counts(list(listing.items))
    following = None
    if listing.has_next:
        kept = query.model_dump(exclude_none=True) | {"page": query.page + 1}
        following = url_for("api.problem_list") + "?" + urlencode(kept)
    items = [summary_out(problem, counts.get(problem.id, 0)) for problem in listing.items]
    return ProblemPage(items=items, next=following)


@bp.post("/problems")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=OPENED, tags=TAGS)
def problem_create(json: ProblemIn) -> tuple[ProblemOut, int, dict[str, str]]:
    """Open a problem, linking the incidents it explains."""
    agents_only(WORK)
    wanted = sent(json)
    fields = problems.ProblemFields(
        title=wanted.title,
        description=wanted.description,
        priority=wanted.priority,
        owner_team_id=team_named(wanted.owner_team),
        owner_agent_id=agent_with(wanted.owner_agent),
        service_ids=_service_ids(wanted.services),
        root_cause=wanted.root_cause,
        workaround=wanted.workaround,
    )
    linked = [incident_named(reference) for reference in wanted.incidents]
    opened = problems.open_problem(caller(), fields, linked)
    location = url_for("api.problem", reference=opened.reference)
    return problem_out(opened), 201, {"Location": location}


def _service_ids(names: list[str]) -> list[int]:
    """The ids of the services a body names."""
    return [ident for name in names if (ident := entry_named("services", name)) is not None]


@bp.get("/problems/<reference>")
@requires("read")
@spec.validate(resp=READ, tags=TAGS)
def problem(reference: str) -> ProblemOut:
    """One problem with what is known, its incidents and its change."""
    agents_only(WORK)
    return problem_out(problem_named(reference))


@bp.patch("/problems/<reference>")
@requires("write")
@spec.validate(resp=WRITTEN, tags=TAGS)
def problem_update(reference: str, json: ProblemChange) -> ProblemOut:
    """Change the fields sent, move the status, link a change: all or nothing."""
    agents_only(WORK)
    found = problem_named(reference)
    wanted = sent(json)
    given = wanted.model_dump(exclude_unset=True)
    with transaction():
        if given.keys() - {"status", "change"}:
            problems.edit(found, caller(), _changed(found, wanted, given))
        if "change" in given:
            problems.link_change(found, caller(), change_named(wanted.change))
        if wanted.status is not None and wanted.status != found.status:
            problems.move(found, caller(), wanted.status)
    return problem_out(found)


def _changed(
    found: ProblemRecord, wanted: ProblemChange, given: dict[str, object]
) -> problems.ProblemFields:
    """The problem's fields with those the change sent replaced."""
    fields = problems.fields_of(found)
    if "title" in given:
        fields.title = wanted.title or ""
    if "description" in given:
        fields.description = wanted.description or ""
    if wanted.priority is not None:
        fields.priority = wanted.priority
    if "owner_team" in given:
        fields.owner_team_id = team_named(wanted.owner_team)
    if "owner_agent" in given:
        fields.owner_agent_id = agent_with(wanted.owner_agent)
    if "services" in given:
        fields.service_ids = _service_ids(wanted.services or [])
    if "root_cause" in given:
        fields.root_cause = wanted.root_cause
    if "workaround" in given:
        fields.workaround = wanted.workaround
    return fields


@bp.post("/problems/<reference>/resolve")
@requires("write")
@spec.validate(resp=WRITTEN, tags=TAGS)
def problem_resolve(reference: str, json: ResolveProblemIn) -> ProblemOut:
    """Resolve the problem with its fix (the agents of its open incidents are told), and
    resolve the open incidents named with the fix."""
    agents_only(WORK)
    found = problem_named(reference)
    wanted = sent(json)
    with transaction():
        problems.resolve(found, caller(), wanted.fix)
        chosen = [incident_named(ref).id for ref in wanted.incidents]
        if chosen:
            problems.resolve_incidents_with_fix(found, caller(), chosen)
    return problem_out(found)


@bp.post("/incidents/<reference>/problem")
@requires("write")
@spec.validate(resp=Response(HTTP_200=ProblemOut, **WITH_BODY), tags=TAGS)
def incident_problem_link(reference: str, json: ProblemLinkIn) -> ProblemOut:
    """Link the incident to a problem (agents only); it leaves any other problem."""
    incident = visible(reference)
    agents_only(WORK)
    found = problem_named(sent(json).problem)
    problems.link_incident(found, caller(), incident)
    return problem_out(found)


@bp.delete("/incidents/<reference>/problem")
@requires("write")
@spec.validate(resp=UNLINKED, tags=TAGS)
def incident_problem_unlink(reference: str) -> tuple[str, int]:
    """Remove the incident's link to its problem (agents only)."""
    incident = visible(reference)
    agents_only(WORK)
    problems.unlink_incident(incident, caller())
    return "", 204


@bp.post("/incidents/<reference>/problem/workaround")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=SENT, tags=TAGS)
def incident_problem_workaround(reference: str) -> tuple[MessageOut, int, dict[str, str]]:
    """Send the incident's problem's workaround to its requester as a public reply."""
    incident = visible(reference)
    agents_only(WORK)
    message = problems.send_workaround(incident, caller(), channel=CHANNEL)
    return created(message, reference)
