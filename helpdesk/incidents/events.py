"""What the incident service says happened, for whoever subscribes (helpdesk.core.events):
notifications today; webhooks, SLA clocks and search indexing as they come.

Each event carries the incident as it is after the change, plus what a subscriber cannot
read off it any more (who it was assigned to before, the withdrawing requester's words).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.models import Incident, Message, Team, User


@dataclass(frozen=True)
class IncidentOpened:
    """An incident was opened; `acknowledge` is False for mail that must get no auto-reply;
    `report` is the message it was opened with (what an acknowledgement answers)."""

    incident: Incident
    acknowledge: bool = True
    report: Message | None = None


@dataclass(frozen=True)
class PublicReplyAdded:
    """A public message was added: an agent's reply, or the requester side's."""

    incident: Incident
    message: Message


@dataclass(frozen=True)
class Assigned:
    """The incident went to a team and maybe one of its agents (`actor` None: the helpdesk
    did it, by an assignment rule or an automatic escalation)."""

    incident: Incident
    actor: User | None
    team: Team | None
    agent: User | None
    previous_team_id: int | None
    previous_agent_id: int | None


@dataclass(frozen=True)
class StatusMoved:
    """The incident moved to another status, whatever moved it (an agent, the requester, a
    resolution, a cancellation, a merge): the SLA clocks stop and restart on these."""

    incident: Incident


@dataclass(frozen=True)
class StatusChanged:
    """An agent moved the incident to another status by hand."""

    incident: Incident
    actor: User


@dataclass(frozen=True)
class Resolved:
    """An agent resolved the incident; the requester is asked to confirm."""

    incident: Incident
    actor: User | None


@dataclass(frozen=True)
class Closed:
    """The incident is closed (the requester confirmed, or solved it themselves)."""

    incident: Incident
    actor: User | None


@dataclass(frozen=True)
class Withdrawn:
    """The requester withdrew the incident (cancelled), with their words if any."""

    incident: Incident
    reason: str | None


@dataclass(frozen=True)
class Reclassified:
    """An agent changed the priority, service or category: the SLA targets may change."""

    incident: Incident
    actor: User


@dataclass(frozen=True)
class SlaWarned:
    """A target ("response" or "resolution") reached its warning threshold at `at`."""

    incident: Incident
    target: str
    at: datetime


@dataclass(frozen=True)
class SlaBreached:
    """A target ("response" or "resolution") was breached at `at`."""

    incident: Incident
    target: str
    at: datetime


@dataclass(frozen=True)
class Escalated:
    """The incident moved to another support tier's team, by an agent with a reason
    (`actor`, trigger "agent") or by itself at an SLA warning or breach (`actor` None,
    trigger "sla_warning" or "sla_breach"). The team names are those at the time."""

    incident: Incident
    actor: User | None
    from_team: str | None
    to_team: Team
    reason: str
    trigger: str
