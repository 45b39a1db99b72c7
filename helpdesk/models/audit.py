"""The append-only audit trail: who changed what on a record, and when.

An event's subject is any record, named by its type and id rather than a foreign key, so
incidents, problems, changes and reviews share one trail. Callers never spell the two
columns: they ask `AuditEvent.about(...)` or `AuditEvent.about_any(...)` for the condition.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, and_, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.user import User

# The kinds of record an event can be about (AuditEvent.subject_type).
INCIDENT = "incident"
CHANGE = "change"
PROBLEM = "problem"
REVIEW = "review"


class AuditEvent(Model):
    """One recorded change. Rows are never updated or deleted (enforced below)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "id"),)

    @classmethod
    def about(cls, subject_type: str, subject_id: int) -> ColumnElement[bool]:
        """The condition selecting the events of one record."""
        return and_(cls.subject_type == subject_type, cls.subject_id == subject_id)

    @classmethod
    def about_any(cls, subject_type: str, subject_ids: Collection[int]) -> ColumnElement[bool]:
        """The condition selecting the events of several records of one type."""
        return and_(cls.subject_type == subject_type, cls.subject_id.in_(subject_ids))


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised on any attempt to change or remove a recorded audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_rewrite(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be changed")
