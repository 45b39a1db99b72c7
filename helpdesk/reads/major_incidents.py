"""Major incidents as the pages read them: the banner on every page (the current ones'
public titles, through the index on resolved_at), the public status page (current and
recently resolved, per affected service, with their public updates), the agents' list, and
one major incident's children, subscribers and update timeline.

What the public sees comes from MajorIncident's public fields and PublicUpdate only, never
from the incident behind it (its subject, notes and people are internal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from helpdesk.extensions import db
from helpdesk.models import (
    Incident,
    MajorIncident,
    MajorIncidentSubscription,
    PublicUpdate,
    User,
)
from helpdesk.reads.incident_search import find_by_reference

# "Recently resolved" on the status page and the agents' list.
RECENT = timedelta(days=7)
BANNER_MAX = 5  # the banner names this many; the status page lists them all


@dataclass(frozen=True)
class BannerEntry:
    """One current major incident as the banner names it."""

    reference: str
    public_title: str


@dataclass(frozen=True)
class ServiceBoard:
    """One affected service on the status page and its major incidents, newest first."""

    service: str
    majors: list[MajorIncident]


def banner() -> list[BannerEntry]:
    """The current major incidents' public titles, newest first: two columns of a few rows
    read through ix_major_incidents_resolved_declared (resolved_at IS NULL first)."""
    rows = db.session.execute(
        select(Incident.reference, MajorIncident.public_title)
        .join(Incident, Incident.id == MajorIncident.incident_id)
        .where(MajorIncident.resolved_at.is_(None))
        .order_by(MajorIncident.declared_at.desc(), MajorIncident.id.desc())
        .limit(BANNER_MAX)
    ).all()
    return [BannerEntry(reference or "", title) for reference, title in rows]


def current_and_recent(now: datetime) -> list[MajorIncident]:
    """The current major incidents, then those resolved in the last seven days, each part
    newest first, with their incidents and services loaded."""
    return list(
        db.session.scalars(
            select(MajorIncident)
            .where(
                or_(MajorIncident.resolved_at.is_(None), MajorIncident.resolved_at >= now - RECENT)
            )
            .order_by(
                MajorIncident.resolved_at.is_not(None),
                MajorIncident.declared_at.desc(),
                MajorIncident.id.desc(),
            )
            .options(joinedload(MajorIncident.incident), selectinload(MajorIncident.services))
        )
    )


def by_service(majors: list[MajorIncident]) -> list[ServiceBoard]:
    """The status page's sections: each affected service (by name) with its major incidents,
    in the order given; a major incident naming several services shows under each."""
    boards: dict[str, list[MajorIncident]] = {}
    for major in majors:
        for service in major.services or ():
            boards.setdefault(service.name, []).append(major)
    return [ServiceBoard(name, boards[name]) for name in sorted(boards, key=str.casefold)]


def major_of(incident: Incident) -> MajorIncident | None:
    """The major side of an incident, None when it was never declared major."""
    return db.session.scalar(select(MajorIncident).where(MajorIncident.incident_id == incident.id))


def find(reference: str) -> MajorIncident | None:
    """The major incident whose incident has this reference (any letter case), else None."""
    incident = find_by_reference(reference)
    return major_of(incident) if incident is not None else None


def updates(major: MajorIncident) -> list[PublicUpdate]:
    """The public updates, newest first (the timeline and the status page)."""
    return list(
        db.session.scalars(
            select(PublicUpdate)
            .where(PublicUpdate.major_incident_id == major.id)
            .order_by(PublicUpdate.created_at.desc(), PublicUpdate.id.desc())
        )
    )


def updates_of(majors: list[MajorIncident]) -> dict[int, list[PublicUpdate]]:
    """Each major incident's public updates, newest first, in one query (the status page)."""
    found: dict[int, list[PublicUpdate]] = {major.id: [] for major in majors}
    if not found:
        return found
    rows = db.session.scalars(
        select(PublicUpdate)
        .where(PublicUpdate.major_incident_id.in_(found))
        .order_by(PublicUpdate.created_at.desc(), PublicUpdate.id.desc())
    )
    for update in rows:
        found[update.major_incident_id].append(update)
    return found


def children(major: MajorIncident) -> list[Incident]:
    """The incidents attached to the major incident, oldest first."""
    return list(
        db.session.scalars(
            select(Incident)
            .where(Incident.parent_id == major.incident_id)
            .order_by(Incident.id)
            .options(joinedload(Incident.requester))
        )
    )


def subscribers(major: MajorIncident) -> list[MajorIncidentSubscription]:
    """Who gets the public updates, in the order they subscribed, with their accounts."""
    return list(
        db.session.scalars(
            select(MajorIncidentSubscription)
            .where(MajorIncidentSubscription.major_incident_id == major.id)
            .order_by(MajorIncidentSubscription.created_at, MajorIncidentSubscription.user_id)
            .options(joinedload(MajorIncidentSubscription.user))
        )
    )


def subscriber_counts(majors: list[MajorIncident]) -> dict[int, int]:
    """How many people get each major incident's public updates, in one query (the list)."""
    ids = [major.id for major in majors]
    rows = db.session.execute(
        select(MajorIncidentSubscription.major_incident_id, func.count())
        .where(MajorIncidentSubscription.major_incident_id.in_(ids))
        .group_by(MajorIncidentSubscription.major_incident_id)
    ).all()
    counted = {major_id: count for major_id, count in rows}
    return {ident: counted.get(ident, 0) for ident in ids}


def subscription(major: MajorIncident, user: User) -> MajorIncidentSubscription | None:
    """The person's subscription to the major incident, if any."""
    return db.session.get(MajorIncidentSubscription, (major.id, user.id))
