"""Problem records: the cause behind one or more incidents. A problem whose root cause and
workaround are known is a known error; its workaround is offered on every linked incident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model, db
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import Service
from helpdesk.models.change import Change
from helpdesk.models.user import Team, User

KNOWN_ERROR = "known_error"
# new -> investigating -> known_error -> resolved -> closed (resolved may reopen).
PROBLEM_STATUSES = ("new", "investigating", KNOWN_ERROR, "resolved", "closed")

problem_services = Table(
    "problem_services",
    db.metadata,
    Column("problem_id", ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_problem_services_service_problem", "service_id", "problem_id"),
)


class Problem(Model):
    """One problem (PRB-000123). Incidents point at it (Incident.problem_id)."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="new")
    priority: Mapped[int] = mapped_column(default=3)
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    owner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    root_cause: Mapped[str | None] = mapped_column(Text)
    workaround: Mapped[str | None] = mapped_column(Text)
    # How it was fixed for good: offered as the resolution of its still-open incidents.
    fix: Mapped[str | None] = mapped_column(Text)
    # The change that fixes it (or that caused it, when a review says so).
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    owner_team: Mapped[Team | None] = relationship()
    owner_agent: Mapped[User | None] = relationship(foreign_keys=[owner_agent_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    change: Mapped[Change | None] = relationship()
    services: Mapped[list[Service]] = relationship(
        secondary=problem_services, order_by="Service.name"
    )

    __table_args__ = (Index("ix_problems_status_updated", "status", "updated_at", "id"),)

    @property
    def is_known_error(self) -> bool:
        """True when the cause and a workaround are known and it is not fixed yet."""
        return self.status == KNOWN_ERROR

    def __repr__(self) -> str:
        return f"<Problem {self.reference} {self.status}>"
