"""Major incidents: an incident declared major (priority 1) gets a public face (a title,
a summary, the affected services, public updates on the status page and by mail), the
incidents attached to it as children (Incident.parent_id), and subscribers: the people it
affects, who said "I'm affected too" or whose own incident was attached."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model, db
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import Service
from helpdesk.models.incident import Incident
from helpdesk.models.user import User

# The public phase, as status pages say it; "resolved" ends it.
MAJOR_PHASES = ("investigating", "identified", "monitoring", "resolved")
# How someone came to be a subscriber.
SUBSCRIBED_VIA = ("declared", "portal", "attached", "agent", "api")

major_incident_services = Table(
    "major_incident_services",
    db.metadata,
    Column(
        "major_incident_id",
        ForeignKey("major_incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_major_incident_services_service", "service_id", "major_incident_id"),
)


class MajorIncident(Model):
    """The major side of one incident: declared once, resolved with it."""

    __tablename__ = "major_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    # What the public sees: never the internal subject, which may name people or hosts.
    public_title: Mapped[str] = mapped_column(String(255))
    public_summary: Mapped[str] = mapped_column(Text)
    phase: Mapped[str] = mapped_column(String(20), default="investigating")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship()
    declared_by: Mapped[User | None] = relationship()
    services: Mapped[list[Service]] = relationship(
        secondary=major_incident_services, order_by="Service.name"
    )

    # The banner and the status page: the current ones, then the recently resolved.
    __table_args__ = (Index("ix_major_incidents_resolved_declared", "resolved_at", "declared_at"),)

    @property
    def is_current(self) -> bool:
        """True until the major incident is resolved."""
        return self.resolved_at is None


class MajorIncidentSubscription(Model):
    """One person told about a major incident's public updates, once each."""

    __tablename__ = "major_incident_subscriptions"

    major_incident_id: Mapped[int] = mapped_column(
        ForeignKey("major_incidents.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    via: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class PublicUpdate(Model):
    """One public update on a major incident: on the status page, and mailed to every
    subscriber (one outbox row per subscriber, in the update's transaction)."""

    __tablename__ = "public_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    major_incident_id: Mapped[int] = mapped_column(
        ForeignKey("major_incidents.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
