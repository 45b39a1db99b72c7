"""What the major-incident service says happened, for whoever subscribes (helpdesk.core.events):
notify mails the subscribers its public updates; post-incident reviews start at resolution.

Each event carries the major incident as it is after the change and the agent who made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import Incident, MajorIncident, PublicUpdate, User


@dataclass(frozen=True)
class MajorIncidentDeclared:
    """An agent declared an incident major (priority 1, a public face, subscribers)."""

    major: MajorIncident
    actor: User


@dataclass(frozen=True)
class ChildAttached:
    """An incident was attached to the major incident as a child."""

    major: MajorIncident
    child: Incident
    actor: User


@dataclass(frozen=True)
class ChildDetached:
    """A child was detached from the major incident (attached by mistake)."""

    major: MajorIncident
    child: Incident
    actor: User


@dataclass(frozen=True)
class PublicUpdatePosted:
    """A public update was posted: the status page shows it, every subscriber is mailed it."""

    major: MajorIncident
    update: PublicUpdate
    actor: User


@dataclass(frozen=True)
class MajorIncidentResolved:
    """The major incident, its own incident and its open children were resolved."""

    major: MajorIncident
    actor: User
