"""Resolving a problem with its fix: the agents of its open incidents are told (by the
ProblemResolved event's subscribers) and may then resolve any of those incidents with the
fix as the resolution notes."""

from __future__ import annotations

from collections.abc import Collection

from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents.workflow import resolve as resolve_incident
from helpdesk.models import Incident, Problem, User
from helpdesk.problems import states
from helpdesk.problems.audit import record
from helpdesk.problems.events import ProblemResolved
from helpdesk.problems.records import set_status
from helpdesk.reads.problems import open_incidents

RESOLUTION_CODE = "fixed"


@unit_of_work
def resolve(problem: Problem, actor: User, fix: str) -> list[Incident]:
    """Record the fix and resolve the problem; return its incidents still open."""
    check.require_agent(actor)
    refused = states.move_refusal(problem.status, states.RESOLVED, bool(problem.workaround))
    if refused:
        raise InvalidInput(refused)
    problem.fix = check.required_text(fix, "The fix")
    set_status(problem, actor, states.RESOLVED, fix=problem.fix)
    still_open = open_incidents(problem)
    events.publish(ProblemResolved(problem, actor, still_open))
    commit()
    return still_open


@unit_of_work
def resolve_incidents_with_fix(
    problem: Problem, actor: User, incident_ids: Collection[int]
) -> list[Incident]:
    """Resolve the chosen open incidents of a resolved problem, the fix as their notes."""
    check.require_agent(actor)
    if problem.status != states.RESOLVED or not problem.fix:
        raise InvalidInput(f"Resolve {problem.reference} with its fix first.")
    if not incident_ids:
        raise InvalidInput("Choose the incidents to resolve with the fix.")
    offered = {incident.id: incident for incident in open_incidents(problem)}
    unknown = [ident for ident in incident_ids if ident not in offered]
    if unknown:
        raise InvalidInput(
            f"Only the open incidents of {problem.reference} can be resolved with its fix."
        )
    chosen = [offered[ident] for ident in sorted(set(incident_ids))]
    for incident in chosen:
        resolve_incident(
            incident, actor, RESOLUTION_CODE, problem.fix, workaround=problem.workaround
        )
    record(problem, actor, "incidents_resolved", references=[i.reference for i in chosen])
    commit()
    return chosen
