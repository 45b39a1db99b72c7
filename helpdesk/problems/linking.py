"""What a problem is linked to: the incidents it explains (Incident.problem_id, audited on
both) and the change that fixes it (or caused it)."""

from __future__ import annotations

from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents import audit as incident_audit
from helpdesk.incidents.guard import ensure
from helpdesk.models import Change, Incident, Problem, User
from helpdesk.permissions import Action
from helpdesk.problems import states
from helpdesk.problems.audit import record


@unit_of_work
def link_incident(problem: Problem, actor: User, incident: Incident) -> None:
    """Link an incident to the problem (moving it from another problem, if it had one)."""
    ensure(Action.LINK, actor, incident)
    if problem.status not in states.LIVE:
        raise InvalidInput(
            f"{problem.reference} is {states.LABELS[problem.status].lower()}: "
            "link the incident to a problem still being worked on."
        )
    previous = incident.problem
    if previous is not None and previous.id == problem.id:
        commit()
        return
    if previous is not None:
        record(previous, actor, "incident_unlinked", reference=incident.reference)
    incident.problem = problem
    incident_audit.record(incident, actor, "problem_linked", reference=problem.reference)
    record(problem, actor, "incident_linked", reference=incident.reference)
    commit()


@unit_of_work
def unlink_incident(incident: Incident, actor: User) -> None:
    """Remove the incident's link to its problem."""
    ensure(Action.LINK, actor, incident)
    problem = incident.problem
    if problem is None:
        raise InvalidInput(f"{incident.reference} is not linked to a problem.")
    incident.problem = None
    incident_audit.record(incident, actor, "problem_unlinked", reference=problem.reference)
    record(problem, actor, "incident_unlinked", reference=incident.reference)
    commit()


@unit_of_work
def link_change(problem: Problem, actor: User, change: Change | None) -> None:
    """Name the change that fixes the problem (or caused it); None removes the link."""
    check.require_agent(actor)
    previous = problem.change
    if (previous.id if previous else None) == (change.id if change else None):
        commit()
        return
    problem.change = change
    if change is not None:
        record(problem, actor, "change_linked", reference=change.reference)
    elif previous is not None:
        record(problem, actor, "change_unlinked", reference=previous.reference)
    commit()
