"""Monitoring alerts: every payload received (kept raw for review), and the alerts that
became incidents, grouped as the monitoring grouped them.

An incident opened by alerts has one AlertGroup (an Alertmanager group, or an Events v2
group) and a MonitoredAlert per alert in it. Both carry an `open_key`, a hash of who sent
the alert and its key, held while their incident may take more of the same: its unique
index is what finds a repeat in one lookup, and what keeps two requests for the same new
alert from opening two incidents. A key is let go (set to NULL) when an alert arrives and
finds its incident no longer open; the next incident takes it up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.incident import Incident
from helpdesk.models.user import User

# Where an alert came from: Prometheus Alertmanager's webhook, or PagerDuty's Events API v2.
ALERT_SOURCES = ("alertmanager", "events")


class ReceivedAlert(Model):
    """One payload posted to an alert endpoint, as it came, with what became of it."""

    __tablename__ = "received_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The person of the token that sent it: the integration's service account.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    # opened, added, repeated, refired, cleared, resolved, acknowledged, ignored, malformed
    # or failed (helpdesk.alerts.intake says which wins when one payload did several).
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(String(500))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()
    incident: Mapped[Incident | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReceivedAlert {self.id} {self.source} {self.outcome}>"


class AlertGroup(Model):
    """The alerts that share one incident, with how often they fired and when last."""

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    source: Mapped[str] = mapped_column(String(20))
    # Alertmanager's groupKey, or an event's payload.group (else its dedup_key), as sent.
    group_key: Mapped[str] = mapped_column(String(500))
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Every firing alert received for the incident counts, the first one included.
    occurrences: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship()

    def __repr__(self) -> str:
        return f"<AlertGroup {self.id} of incident {self.incident_id}>"


class MonitoredAlert(Model):
    """One alert (an Alertmanager fingerprint, an Events v2 dedup_key) of a group, firing or
    cleared."""

    __tablename__ = "monitored_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), index=True
    )
    alert_key: Mapped[str] = mapped_column(String(500))
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    firing: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<MonitoredAlert {self.name!r} firing={self.firing}>"
