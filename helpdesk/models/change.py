"""Change records: a planned change to one or more services, lightweight by design (the
change itself is approved and run elsewhere; the helpdesk needs to know what changed where,
and when, to tie incidents to the change that caused them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model, db
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import Service
from helpdesk.models.user import User

# planned -> in_progress -> completed | failed; cancelled before it ran.
CHANGE_STATUSES = ("planned", "in_progress", "completed", "failed", "cancelled")

change_services = Table(
    "change_services",
    db.metadata,
    Column("change_id", ForeignKey("changes.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    # "Changes to this incident's service in the last 72 hours" starts from the service.
    Index("ix_change_services_service_change", "service_id", "change_id"),
)


class Change(Model):
    """One change (CHG-000123), created in the console, the API, or mirrored from an
    external change system under that system's id."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The id in an external change system (a Jira or ServiceNow key): unique, so a second
    # mirror of the same change finds the first.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    planned_start: Mapped[datetime | None]
    planned_end: Mapped[datetime | None]
    actual_start: Mapped[datetime | None]
    actual_end: Mapped[datetime | None]
    implementer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    implementer: Mapped[User | None] = relationship(foreign_keys=[implementer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    services: Mapped[list[Service]] = relationship(
        secondary=change_services, order_by="Service.name"
    )

    __table_args__ = (Index("ix_changes_created", "created_at", "id"),)

    def __repr__(self) -> str:
        return f"<Change {self.reference} {self.status}>"
