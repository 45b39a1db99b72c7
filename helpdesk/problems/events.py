"""What the problem service says happened, for whoever subscribes (helpdesk.core.events):
the agents' console notices today."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import Incident, Problem, User


@dataclass(frozen=True)
class ProblemResolved:
    """A problem was resolved with its fix; `open_incidents` are its incidents still open
    then, whose agents hear of the fix and may resolve them with it."""

    problem: Problem
    actor: User
    open_incidents: list[Incident]
