"""A post-incident review's impact, read when shown: how long the incident lasted (opened
to resolved), how many people it affected (its requester, its children's requesters and
the major incident's subscribers, each once), the services it touched (the incident's and
the major incident's affected ones) and the SLA targets breached on it and its children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Incident, MajorIncidentSubscription
from helpdesk.reads.reviews import major_of

RESPONSE, RESOLUTION = "response", "resolution"


@dataclass(frozen=True)
class Breach:
    """One SLA target breached: on which incident, which target, and when."""

    reference: str
    target: str
    at: datetime


@dataclass(frozen=True)
class Impact:
    """What the incident cost, in numbers and names."""

    opened_at: datetime
    resolved_at: datetime | None
    people_affected: int
    services: list[str]
    breaches: list[Breach]

    @property
    def duration(self) -> timedelta | None:
        """Opened to resolved; None while it is not resolved."""
        return self.resolved_at - self.opened_at if self.resolved_at else None


def impact(incident: Incident) -> Impact:
    """The incident's impact as it stands now."""
    children = list(db.session.scalars(select(Incident).where(Incident.parent_id == incident.id)))
    major = major_of(incident.id)
    people = {incident.requester_id, *(child.requester_id for child in children)}
    services = {incident.service.name} if incident.service else set()
    if major is not None:
        people.update(
            db.session.scalars(
                select(MajorIncidentSubscription.user_id).where(
                    MajorIncidentSubscription.major_incident_id == major.id
                )
            )
        )
        services.update(service.name for service in major.services)
    return Impact(
        opened_at=incident.created_at,
        resolved_at=incident.resolved_at,
        people_affected=len(people),
        services=sorted(services),
        breaches=sorted(_breaches([incident, *children]), key=lambda breach: breach.at),
    )


def _breaches(incidents: list[Incident]) -> list[Breach]:
    """Every breached target of these incidents."""
    found = []
    for incident in incidents:
        for target, at in (
            (RESPONSE, incident.response_breached_at),
            (RESOLUTION, incident.resolution_breached_at),
        ):
            if at is not None:
                found.append(Breach(incident.reference or "", target, at))
    return found
