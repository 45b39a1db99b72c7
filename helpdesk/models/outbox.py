"""Outgoing email, queued in the same transaction as the change that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class OutboundEmail(Model):
    """An email waiting to be rendered and delivered (or done with delivery)."""

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    # What the mail must say, recorded with the change (helpdesk.notify.compose): the
    # template and a snapshot of ids and the values that must not change before it is sent.
    kind: Mapped[str | None] = mapped_column(String(40))
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The RFC 5322 message, rendered when the outbox is drained (helpdesk.notify.render) and
    # kept, so a retry after a refusal sends the same bytes. Rows queued before 0008 have it.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime | None]
    # Automatic notices (RFC 3834 auto-replied) count toward the per-sender hourly limit.
    automatic: Mapped[bool] = mapped_column(default=False, server_default=false())
    message_row_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_outbound_emails_due", "state", "next_attempt_at"),
        Index("ix_outbound_emails_recipient", "recipient", "created_at"),
    )
