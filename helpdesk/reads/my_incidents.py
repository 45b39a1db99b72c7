"""Read-only queries behind the portal pages: my incidents, their public thread, catalogues."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import selectinload

from helpdesk import bounds, lifecycle
from helpdesk.extensions import db
from helpdesk.models import (
    REPLY,
    AuditEvent,
    Category,
    Incident,
    Message,
    Service,
    User,
    incident_participants,
)

# Resolved incidents stay under "Open" until the user confirms: they still need the user.
TABS: dict[str, frozenset[str]] = {
    "open": lifecycle.OPEN_STATUSES | {lifecycle.RESOLVED},
    "closed": lifecycle.TERMINAL_STATUSES,
}
DEFAULT_TAB = "open"


def involving(user: User) -> ColumnElement[bool]:
    """Incidents the user reported or was added to as a participant."""
    participating = select(incident_participants.c.incident_id).where(
        incident_participants.c.user_id == user.id
    )
    return or_(Incident.requester_id == user.id, Incident.id.in_(participating))


def my_incidents(user: User, tab: str, page: int, per_page: int) -> Pagination:
    """One page of the user's incidents in a tab, most recent activity first."""
    query = (
        select(Incident)
        .where(involving(user), Incident.status.in_(TABS[tab]))
        .order_by(Incident.last_public_activity_at.desc(), Incident.id.desc())
    )
    return bounds.paginate(query, page, per_page)


def awaiting_confirmation(user: User) -> list[Incident]:
    """The user's resolved incidents, which wait for them to confirm the fix."""
    query = (
        select(Incident)
        .where(involving(user), Incident.status == lifecycle.RESOLVED)
        .order_by(Incident.resolved_at.desc(), Incident.id.desc())
    )
    return list(db.session.scalars(query))


def public_thread(incident: Incident) -> list[Message]:
    """The replies the requester side sees, oldest first; notes and events stay internal."""
    query = (
        select(Message)
        .where(Message.incident_id == incident.id, Message.kind == REPLY)
        .options(selectinload(Message.author), selectinload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    )
    return list(db.session.scalars(query))


def rejected_resolution(incident: Incident) -> AuditEvent | None:
    """The resolution the requester side last turned down, while the incident is being
    worked again (a new resolution takes its place on the page)."""
    if incident.status not in lifecycle.OPEN_STATUSES:
        return None
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.incident_id == incident.id,
            AuditEvent.action == lifecycle.REJECTED_RESOLUTION,
        )
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    )
    return db.session.scalars(query).first()


def active_categories() -> list[Category]:
    """Categories offered for new incidents, by name."""
    return list(db.session.scalars(select(Category).where(Category.active).order_by(Category.name)))


def active_services() -> list[Service]:
    """Services offered for new incidents, by name."""
    return list(db.session.scalars(select(Service).where(Service.active).order_by(Service.name)))
