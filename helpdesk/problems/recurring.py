"""Opening a problem from what the console shows: one incident ("open a problem from this
incident"), or the recurring incidents a hint found (helpdesk.reads.problem_hints)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import Incident, Problem, User
from helpdesk.problems.records import ProblemFields, open_problem
from helpdesk.reads.problem_hints import Hint


@unit_of_work
def open_from_incident(actor: User, incident: Incident, title: str | None = None) -> Problem:
    """Open a problem from one incident, with its words, service and priority, linked."""
    fields = ProblemFields(
        title=title or incident.subject,
        description=incident.description,
        priority=incident.priority,
        service_ids=[incident.service_id] if incident.service_id else [],
    )
    problem = open_problem(actor, fields, [incident])
    commit()
    return problem


@unit_of_work
def open_from_hint(actor: User, hint: Hint) -> Problem:
    """Open a problem about the hint's service or category, linking its incidents."""
    found = db.session.scalars(
        select(Incident).where(Incident.id.in_(hint.incident_ids)).order_by(Incident.id)
    ).all()
    fields = ProblemFields(
        title=f"Recurring incidents about {hint.about}",
        description=(
            f"{hint.count} incidents about {hint.about} were opened within "
            f"{hint.window_hours:g} hours."
        ),
        priority=min(incident.priority for incident in found),
        service_ids=[hint.entry_id] if hint.kind == "service" else [],
    )
    problem = open_problem(actor, fields, found)
    commit()
    return problem
