"""Assignment and ownership: who works an incident, and which team answers for it.

ITIL keeps the service desk as owner while a specialist team is assigned, so the user
always has one accountable contact; assigning never changes ownership by itself, except
that an unowned incident is owned by the service desk the first time it is assigned.
"""

from __future__ import annotations

from sqlalchemy import select

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.events import Assigned
from helpdesk.incidents.guard import ensure
from helpdesk.incidents.status import move_to
from helpdesk.models import Incident, Team, User
from helpdesk.permissions import Action


@unit_of_work
def assign(incident: Incident, actor: User, team_id: int | None, agent_id: int | None) -> None:
    """Assign to a team and optionally one of its agents; a new incident becomes assigned."""
    ensure(Action.ASSIGN, actor, incident)
    team = check.existing(Team, team_id, "team")
    agent = check.existing(User, agent_id, "agent")
    if agent is not None and not agent.is_agent:
        raise InvalidInput(f"{agent.name} is not an agent.")
    if team is None and agent is not None:
        team = agent.teams[0] if agent.teams else None
    if team is not None and agent is not None and team not in agent.teams:
        raise InvalidInput(f"{agent.name} is not a member of {team.name}.")
    hand_to(incident, actor, team, agent)
    commit()


@unit_of_work
def take_ownership(incident: Incident, agent: User) -> None:
    """Make `agent` (and their service desk team, if they are in it) the incident's owner."""
    ensure(Action.TAKE_OWNERSHIP, agent, incident)
    service_desk = _service_desk()
    incident.owner_agent = agent
    if service_desk is not None and service_desk in agent.teams:
        incident.owner_team = service_desk
    elif agent.teams:
        incident.owner_team = agent.teams[0]
    record(incident, agent, "took_ownership", agent=agent.name)
    commit()


def hand_to(
    incident: Incident,
    actor: User | None,
    team: Team | None,
    agent: User | None,
    action: str = "assigned",
    **details: str | None,
) -> None:
    """Give the incident to `team` and maybe `agent`, recorded as `action` with `details`
    and published as Assigned. `actor` is None when the helpdesk does it itself (an
    assignment rule, an automatic escalation). Callers check who may and commit."""
    previous = (incident.assigned_team_id, incident.assigned_agent_id)
    incident.assigned_team = team
    incident.assigned_agent = agent
    if incident.owner_team is None:
        incident.owner_team = _service_desk() or team
    record(
        incident,
        actor,
        action,
        team=team.name if team else None,
        agent=agent.name if agent else None,
        **details,
    )
    _follow_assignment(incident, actor)
    events.publish(Assigned(incident, actor, team, agent, *previous))


def _follow_assignment(incident: Incident, actor: User | None) -> None:
    """Keep the status in step: assigned once someone has it, new when nobody does."""
    someone = incident.assigned_team is not None or incident.assigned_agent is not None
    if someone and incident.status == lifecycle.NEW:
        move_to(incident, actor, lifecycle.ASSIGNED)
    elif not someone and incident.status == lifecycle.ASSIGNED:
        move_to(incident, actor, lifecycle.NEW)


def _service_desk() -> Team | None:
    """Return the first-line team, if one is marked as the service desk."""
    return db.session.scalars(select(Team).where(Team.is_service_desk).order_by(Team.id)).first()
