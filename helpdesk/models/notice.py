"""Notices in the agent console: what the helpdesk tells an agent besides email (an SLA
warning or breach on an incident they own or lead the team of, an escalation to them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.incident import Incident
from helpdesk.models.user import User


class AgentNotice(Model):
    """One notice for one agent, unread until they mark it read."""

    __tablename__ = "agent_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    incident: Mapped[Incident | None] = relationship()

    # The console's unread count and list: one agent's notices, unread first, newest first.
    __table_args__ = (Index("ix_agent_notices_user_read", "user_id", "read_at", "id"),)

    def __repr__(self) -> str:
        return f"<AgentNotice {self.kind} for user {self.user_id}>"
