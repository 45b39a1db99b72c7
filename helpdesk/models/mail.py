"""The mail gateway's records: every received email, the quarantine, and the gateway's health."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow

# What became of a received email.
NEW_INCIDENT = "new_incident"
REPLY = "reply"
FOLLOW_UP = "follow_up"  # news on a closed incident: a new incident linked to it
FLAGGED = "flagged"  # from a stranger: kept as an internal note for review
BOUNCE = "bounce"
IGNORED = "ignored"  # auto-reply, bulk mail or our own mail: recorded, nothing else
QUARANTINED = "quarantined"

OUTCOMES = (NEW_INCIDENT, REPLY, FOLLOW_UP, FLAGGED, BOUNCE, IGNORED, QUARANTINED)


class ReceivedEmail(Model):
    """One email the gateway has taken in, keyed so that a re-fetch is recognised.

    `dedupe_key` is the Message-ID, or `sha256:<hex>` of the raw bytes when there is none;
    its unique constraint is what makes a crash between commit and IMAP move, a second
    gateway process or a double delivery harmless.
    """

    __tablename__ = "received_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    message_row_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    # The original bytes, in the attachment store (sha256 path), kept downloadable.
    raw_path: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(255), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuarantinedEmail(Model):
    """An email that could not be processed, kept with the error until an agent acts."""

    __tablename__ = "quarantined_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), index=True)
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str] = mapped_column(Text)
    raw_path: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(12), default="pending")  # retried, discarded
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_quarantined_emails_state", "state", "created_at"),)


class GatewayHeartbeat(Model):
    """The gateway's last report of itself, one row per mailbox, shown in the console."""

    __tablename__ = "gateway_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(255), unique=True)
    last_poll_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    messages_waiting: Mapped[int] = mapped_column(default=0)
    # When a long-running `gateway run` last reported here (None after it stopped cleanly):
    # a one-off `poll --once` leaves it alone, so the console never calls one pass "Running".
    running_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
