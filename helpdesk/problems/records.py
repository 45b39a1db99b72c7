"""Problem records: opening one (with the incidents it explains), editing its fields, and
moving it along its lifecycle (helpdesk.problems.states); every change is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import Incident, Problem, Service, Team, User, utcnow
from helpdesk.models.problem import KNOWN_ERROR
from helpdesk.problems import states
from helpdesk.problems.audit import record
from helpdesk.problems.linking import link_incident
from helpdesk.references import PROBLEM_PREFIX, spell_reference

PRIORITIES = range(1, 6)


@dataclass
class ProblemFields:
    """What an agent writes on a problem (ids as the forms and the API give them)."""

    title: str
    description: str = ""
    priority: int = 3
    owner_team_id: int | None = None
    owner_agent_id: int | None = None
    service_ids: list[int] = field(default_factory=list)
    root_cause: str | None = None
    workaround: str | None = None


def fields_of(problem: Problem) -> ProblemFields:
    """The problem's current fields, for an edit that changes only some of them."""
    return ProblemFields(
        title=problem.title,
        description=problem.description,
        priority=problem.priority,
        owner_team_id=problem.owner_team_id,
        owner_agent_id=problem.owner_agent_id,
        service_ids=[service.id for service in problem.services],
        root_cause=problem.root_cause,
        workaround=problem.workaround,
    )


@unit_of_work
def open_problem(actor: User, fields: ProblemFields, incidents: Sequence[Incident] = ()) -> Problem:
    """Open a problem (status new) and link the incidents it explains."""
    check.require_agent(actor)
    now = utcnow()
    problem = Problem(status=states.NEW, created_by=actor, created_at=now, updated_at=now)
    _apply(problem, fields)
    db.session.add(problem)
    db.session.flush()
    problem.reference = spell_reference(PROBLEM_PREFIX, problem.id)
    record(problem, actor, "opened", title=problem.title, priority=problem.priority)
    for incident in incidents:
        link_incident(problem, actor, incident)
    commit()
    return problem


@unit_of_work
def edit(problem: Problem, actor: User, fields: ProblemFields) -> None:
    """Change the problem's fields; the audit trail keeps each old and new value."""
    check.require_agent(actor)
    before = _snapshot(problem)
    _apply(problem, fields)
    if problem.status == KNOWN_ERROR and not problem.workaround:
        raise InvalidInput("A known error needs its workaround; it cannot be emptied.")
    after = _snapshot(problem)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if changes:
        record(problem, actor, "edited", changes=changes)
    commit()


@unit_of_work
def move(problem: Problem, actor: User, target: str) -> None:
    """Move the problem to another status (resolving takes its fix: `resolving.resolve`)."""
    check.require_agent(actor)
    if target == states.RESOLVED:
        raise InvalidInput("Resolve a problem with its fix.")
    refused = states.move_refusal(problem.status, target, bool(problem.workaround))
    if refused:
        raise InvalidInput(refused)
    set_status(problem, actor, target)
    commit()


def set_status(problem: Problem, actor: User, target: str, **details: Any) -> None:
    """Record a status move already checked; stamp when it was resolved or closed."""
    previous = problem.status
    problem.status = target
    now = utcnow()
    if target == states.RESOLVED:
        problem.resolved_at = now
    elif target == states.CLOSED:
        problem.closed_at = now
    else:
        problem.resolved_at = None
    record(problem, actor, "status_changed", **{"from": previous, "to": target}, **details)


def _apply(problem: Problem, fields: ProblemFields) -> None:
    """Check the fields and set them on the problem; raise on the first bad one."""
    if fields.priority not in PRIORITIES:
        raise InvalidInput("The priority must be from 1 to 5.")
    agent = check.existing(User, fields.owner_agent_id, "owner agent")
    if agent is not None and not (agent.is_agent and agent.active):
        raise InvalidInput(f"{agent.name} is not an active agent.")
    problem.title = check.required_text(fields.title, "The title", check.SUBJECT_MAX)
    problem.description = check.optional_text(fields.description, "The description") or ""
    problem.priority = fields.priority
    problem.owner_team = check.existing(Team, fields.owner_team_id, "owner team")
    problem.owner_agent = agent
    problem.services = _services(problem, fields.service_ids)
    problem.root_cause = check.optional_text(fields.root_cause, "The root cause")
    problem.workaround = check.optional_text(fields.workaround, "The workaround")


def _services(problem: Problem, ids: list[int]) -> list[Service]:
    """The affected services: active ones, or retired ones the problem already names."""
    kept = {service.id for service in problem.services}
    chosen = []
    for ident in dict.fromkeys(ids):
        service = check.existing(Service, ident, "service")
        if service is not None and not service.active and service.id not in kept:
            raise InvalidInput(f"The service {service.name!r} is retired.")
        if service is not None:
            chosen.append(service)
    return chosen


def _snapshot(problem: Problem) -> dict[str, Any]:
    """The fields as the audit trail names them: people, teams and services by name."""
    return {
        "title": problem.title,
        "description": problem.description,
        "priority": problem.priority,
        "owner_team": problem.owner_team.name if problem.owner_team else None,
        "owner_agent": problem.owner_agent.name if problem.owner_agent else None,
        "services": [service.name for service in problem.services],
        "root_cause": problem.root_cause,
        "workaround": problem.workaround,
    }
