"""Webhooks out: admins subscribe URLs to the helpdesk's events; each event a subscription
wants becomes a delivery, queued in the transaction of the change and sent by the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow


class WebhookSubscription(Model):
    """A URL and the events it wants, with the secret its deliveries are signed with
    (Standard Webhooks: kept readable, as signing needs it). Disabled after failing for a
    day, with the reason shown to admins."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(255), default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first failure of the current run of failures (None after a success).
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<WebhookSubscription {self.id} {self.url}>"


class WebhookDelivery(Model):
    """One event for one subscription: its payload as it will be sent, and how sending it
    went (attempts, the last response). `next_attempt_at` is None once it is delivered or
    given up on; the worker sends the ones whose time has come."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    # The webhook-id header: the same on every retry, so receivers can drop repeats.
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_response: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(String(255))

    subscription: Mapped[WebhookSubscription] = relationship()

    # The delivery log of a subscription, newest first.
    __table_args__ = (
        Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.message_id} {self.event}>"
