"""Relations between incidents: "related" links, and merging a duplicate into another."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from helpdesk import lifecycle
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.guard import ensure
from helpdesk.incidents.status import move_to
from helpdesk.models import EVENT, Incident, IncidentLink, Message, User, utcnow
from helpdesk.permissions import Action


@unit_of_work
def link(incident: Incident, actor: User, other: Incident) -> None:
    """Record that two incidents are related (stored once, shown on both)."""
    ensure(Action.LINK, actor, incident)
    if other.id == incident.id:
        raise InvalidInput("An incident cannot be linked to itself.")
    low, high = sorted((incident.id, other.id))
    if db.session.get(IncidentLink, (low, high)) is None:
        db.session.add(IncidentLink(low_id=low, high_id=high))
        record(incident, actor, "linked", reference=other.reference)
        record(other, actor, "linked", reference=incident.reference)
    commit()


@unit_of_work
def unlink(incident: Incident, actor: User, other: Incident) -> None:
    """Remove a "related" link between two incidents."""
    ensure(Action.LINK, actor, incident)
    low, high = sorted((incident.id, other.id))
    db.session.execute(
        delete(IncidentLink).where(IncidentLink.low_id == low, IncidentLink.high_id == high)
    )
    record(incident, actor, "unlinked", reference=other.reference)
    record(other, actor, "unlinked", reference=incident.reference)
    commit()


def related(incident: Incident) -> list[Incident]:
    """List the incidents linked to this one, oldest first."""
    linked_ids = (
        select(IncidentLink.high_id)
        .where(IncidentLink.low_id == incident.id)
        .union(select(IncidentLink.low_id).where(IncidentLink.high_id == incident.id))
    )
    return list(
        db.session.scalars(
            select(Incident).where(Incident.id.in_(linked_ids)).order_by(Incident.id)
        )
    )


@unit_of_work
def merge(duplicate: Incident, actor: User, target: Incident) -> None:
    """Move a duplicate's conversation into `target`, and close the duplicate with a pointer."""
    ensure(Action.MERGE, actor, duplicate)
    if duplicate.id == target.id:
        raise InvalidInput("An incident cannot be merged into itself.")
    if target.status in lifecycle.TERMINAL_STATUSES:
        raise InvalidInput(f"{target.reference} is closed; merge into an open incident.")
    db.session.execute(
        update(Message).where(Message.incident_id == duplicate.id).values(incident_id=target.id)
    )
    _bring_people_along(duplicate, target)
    now = utcnow()
    _event(duplicate, f"Merged into {target.reference}.", now)
    _event(target, f"{duplicate.reference} was merged into this incident.", now)
    duplicate.merged_into = target
    duplicate.resolution_code = "duplicate"
    _close_duplicate(duplicate, actor)
    target.last_activity_at = now
    record(target, actor, "merged_in", reference=duplicate.reference)
    record(duplicate, actor, "merged_into", reference=target.reference)
    commit()


def _bring_people_along(duplicate: Incident, target: Incident) -> None:
    """The duplicate's requester and participants follow the conversation to the target."""
    for person in [duplicate.requester, *duplicate.participants]:
        if not target.involves(person):
            target.participants.append(person)


def _close_duplicate(duplicate: Incident, actor: User) -> None:
    """Walk the duplicate to closed by the shortest allowed path."""
    if duplicate.status != lifecycle.RESOLVED:
        move_to(duplicate, actor, lifecycle.RESOLVED, action="resolved")
        duplicate.resolved_at = utcnow()
    move_to(duplicate, actor, lifecycle.CLOSED)


def _event(incident: Incident, text: str, when) -> None:
    """Add a system line to an incident's thread."""
    db.session.add(
        Message(incident_id=incident.id, kind=EVENT, channel="system", body=text, created_at=when)
    )
