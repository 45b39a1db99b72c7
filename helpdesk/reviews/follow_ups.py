"""An action item that is bigger than a task becomes a problem record (a cause to
investigate) or a change record (a planned change), linked from the item.

The records are opened through their own services (helpdesk.problems.records,
helpdesk.changes.records), inside the review's unit of work, with what the review knows:
the item's title and owner, the incident's priority and services. A change also needs its
planned window, which the agent gives.
"""

from __future__ import annotations

from datetime import datetime

from helpdesk.changes.records import ChangePlan, create_change
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.models import Change, Incident, Problem, ReviewAction, User
from helpdesk.problems.records import ProblemFields, open_problem
from helpdesk.reads.reviews import major_of
from helpdesk.reviews.editing import record_change


@unit_of_work
def to_problem(action: ReviewAction, actor: User) -> Problem:
    """Open a problem record for the action item and link it; once only."""
    check.require_agent(actor)
    if action.problem_id is not None:
        raise InvalidInput("This action item is already a problem.")
    incident = action.review.incident
    problem = open_problem(
        actor,
        ProblemFields(
            title=action.title,
            description=_origin(incident),
            priority=incident.priority,
            owner_agent_id=action.owner_id,
            service_ids=_service_ids(incident),
        ),
    )
    action.problem = problem
    record_change(
        action.review, actor, "action_to_problem", action_id=action.id, reference=problem.reference
    )
    commit()
    return problem


@unit_of_work
def to_change(
    action: ReviewAction, actor: User, planned_start: datetime | None, planned_end: datetime | None
) -> Change:
    """Plan a change record for the action item, in the window given, and link it; once
    only."""
    check.require_agent(actor)
    if action.change_id is not None:
        raise InvalidInput("This action item is already a change.")
    incident = action.review.incident
    change = create_change(
        actor,
        ChangePlan(
            title=action.title,
            planned_start=planned_start,
            planned_end=planned_end,
            service_ids=_service_ids(incident),
            description=_origin(incident),
            implementer_id=action.owner_id,
        ),
    )
    action.change = change
    record_change(
        action.review, actor, "action_to_change", action_id=action.id, reference=change.reference
    )
    commit()
    return change


def _origin(incident: Incident) -> str:
    """Where the record came from, as its description says."""
    return f"From the post-incident review of {incident.reference}: {incident.subject}"


def _service_ids(incident: Incident) -> list[int]:
    """The services the incident touched: its own and its major incident's."""
    major = major_of(incident.id)
    ids = [incident.service_id] if incident.service_id else []
    ids += [service.id for service in major.services] if major else []
    return list(dict.fromkeys(ids))
