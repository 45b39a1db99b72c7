"""The incident aggregate: the incident, its participants and its links to other incidents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model, db
from helpdesk.lifecycle import OPEN_STATUSES
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import Category, Service
from helpdesk.models.change import Change
from helpdesk.models.problem import Problem
from helpdesk.models.user import Team, User

incident_participants = Table(
    "incident_participants",
    db.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # "My incidents": the incidents a user is copied on, read from the index alone.
    Index("ix_incident_participants_user_incident", "user_id", "incident_id"),
)


class Incident(Model):
    """An unplanned interruption or reduction in quality of a service, and its handling."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored rather than derived so a later prefix change never renames old incidents.
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    subject: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(10), default="portal")

    # Indexed first in ix_incidents_requester_status_activity (a lone index would be chosen
    # by PostgreSQL for "my incidents" and make it read the table).
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))

    impact: Mapped[str] = mapped_column(String(10), default="low")
    urgency: Mapped[str] = mapped_column(String(10), default="medium")
    priority: Mapped[int] = mapped_column(default=4)
    # Set when an agent overrode the matrix; the reason is also in the audit trail.
    priority_override_reason: Mapped[str | None] = mapped_column(String(255))

    status: Mapped[str] = mapped_column(String(20), default="new")
    on_hold_reason: Mapped[str | None] = mapped_column(String(30))
    # When the status last moved (a hold began, a resolution was given): the worker's
    # reminders and automatic resolution and closure count their days from it.
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The awaiting-user reminder for the hold that began at status_changed_at, if sent.
    reminded_at: Mapped[datetime | None]
    # The SLA clock, kept by helpdesk.sla_policies.clocks from the audit trail on every
    # change: the policy it runs on, when it stopped for a pausing hold, and each target's
    # warning and breach (met: first_response_at and resolved_at).
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    sla_paused_at: Mapped[datetime | None]
    response_warned_at: Mapped[datetime | None]
    response_breached_at: Mapped[datetime | None]
    resolution_warned_at: Mapped[datetime | None]
    resolution_breached_at: Mapped[datetime | None]
    # The next instant a running target is warned or breached, None when none will be: the
    # scheduler's pass (clocks.check_due) looks at the incidents whose instant has come.
    sla_check_at: Mapped[datetime | None] = mapped_column(index=True)
    # From when a running target is breaching soon (helpdesk.sla.clock.breaching_soon_from),
    # None when none runs toward a breach: the "Breaching soon" queue reads its index.
    sla_breaching_from: Mapped[datetime | None] = mapped_column(index=True)

    assigned_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    owner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Newest public or internal activity; queues and "my incidents" sort by it.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the requester can see changed (public replies, status): the portal sorts by it,
    # so internal notes neither reorder nor reveal anything in "my incidents".
    last_public_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    workaround: Mapped[str | None] = mapped_column(Text)
    resolution_code: Mapped[str | None] = mapped_column(String(40))
    resolution_notes: Mapped[str | None] = mapped_column(Text)
    # The problem behind it, the change that caused it, and the major incident it is a
    # child of (its requester is then a subscriber of the major incident's updates).
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problems.id", ondelete="SET NULL"), index=True
    )
    caused_by_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("changes.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    reopened_from_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))

    satisfaction_rating: Mapped[int | None]
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    category: Mapped[Category | None] = relationship()
    service: Mapped[Service | None] = relationship()
    assigned_team: Mapped[Team | None] = relationship(foreign_keys=[assigned_team_id])
    assigned_agent: Mapped[User | None] = relationship(foreign_keys=[assigned_agent_id])
    owner_team: Mapped[Team | None] = relationship(foreign_keys=[owner_team_id])
    owner_agent: Mapped[User | None] = relationship(foreign_keys=[owner_agent_id])
    merged_into: Mapped[Incident | None] = relationship(
        remote_side=[id], foreign_keys=[merged_into_id]
    )
    parent: Mapped[Incident | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    problem: Mapped[Problem | None] = relationship()
    caused_by_change: Mapped[Change | None] = relationship()
    participants: Mapped[list[User]] = relationship(
        secondary=incident_participants, order_by="User.name"
    )

    __table_args__ = (
        # Keyset pagination of every queue: (filter columns..., last_activity_at, id).
        Index("ix_incidents_activity", "last_activity_at", "id"),
        # The queues' index; the columns after the key are what the queues check and count
        # (assignment, recently resolved), so pages and tab counts never read the table.
        Index(
            "ix_incidents_status_activity",
            "status",
            "last_activity_at",
            "id",
            "assigned_agent_id",
            "assigned_team_id",
            "resolved_at",
        ),
        Index("ix_incidents_team_activity", "assigned_team_id", "last_activity_at", "id"),
        Index("ix_incidents_agent_activity", "assigned_agent_id", "last_activity_at", "id"),
        # "My incidents" pages a tab's statuses one branch each (see reads.my_incidents).
        Index(
            "ix_incidents_requester_status_activity",
            "requester_id",
            "status",
            "last_public_activity_at",
            "id",
        ),
        Index("ix_incidents_priority_activity", "priority", "last_activity_at", "id"),
        # The worker's reminders and automatic closure: a status held since a day.
        Index("ix_incidents_status_changed", "status", "status_changed_at", "id"),
    )

    @property
    def is_open(self) -> bool:
        """True while the incident still needs work."""
        return self.status in OPEN_STATUSES

    def catalogue_ids(self) -> tuple[int | None, int | None]:
        """The service and category ids, also right after a service set them as objects
        (their foreign keys are filled in only at the next flush, and the SLA clock and the
        assignment rules read them inside the unit, without flushing)."""
        loaded = inspect(self).dict
        ids = []
        for name in ("service", "category"):
            if name in loaded:
                entry = loaded[name]
                ids.append(entry.id if entry is not None else None)
            else:
                ids.append(getattr(self, f"{name}_id"))
        return ids[0], ids[1]

    def involves(self, user: User) -> bool:
        """Tell whether `user` is the requester or a participant."""
        return self.requester_id == user.id or self.copies(user)

    def copies(self, user: User) -> bool:
        """Tell whether `user` is a participant (copied on the incident)."""
        return any(p.id == user.id for p in self.participants)

    def __repr__(self) -> str:
        return f"<Incident {self.reference} {self.status}>"


class IncidentLink(Model):
    """A symmetric "related to" link between two incidents, stored once with low id first."""

    __tablename__ = "incident_links"

    low_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    high_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
