"""Console notices about problems: when a problem is resolved, the agents working on its
open incidents (assigned or owning) are told, on each incident, that the fix is there to
resolve it with."""

from __future__ import annotations

from helpdesk.notify import console
from helpdesk.problems.events import ProblemResolved

KIND = "problem_resolved"


def problem_resolved(event: ProblemResolved) -> None:
    """Leave a notice on each open incident for its assigned and owner agents."""
    problem = event.problem
    for incident in event.open_incidents:
        console.write(
            [incident.assigned_agent, incident.owner_agent],
            incident,
            KIND,
            event.actor,
            problem=problem.reference,
            title=problem.title,
        )
