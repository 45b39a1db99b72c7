"""The reports' facts: each incident's measures (helpdesk.kpi.facts), kept current from its
audit trail in the same transaction as every change (helpdesk.reports.keeper), so a report
aggregates indexed columns instead of replaying a million trails.

The dimensions a report filters by (team, category, service, priority, channel) are copied
from the incident as it is now: a report of a team counts the incidents that team has.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import Model

# What a report filters by; every index ends with them, so a filtered report reads the
# index alone.
DIMENSIONS = ("priority", "team_id", "category_id", "service_id", "channel")


class IncidentFacts(Model):
    """One incident's measures and current dimensions (None: not measured, e.g. an
    incident never resolved has no resolution time)."""

    __tablename__ = "incident_facts"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    opened_at: Mapped[datetime]
    priority: Mapped[int]
    channel: Mapped[str] = mapped_column(String(10))
    team_id: Mapped[int | None]
    category_id: Mapped[int | None]
    service_id: Mapped[int | None]
    # The agent credited with its resolution: the assigned agent, else the resolving agent.
    agent_id: Mapped[int | None]

    acknowledged_at: Mapped[datetime | None]
    mtta_seconds: Mapped[float | None]
    escalated: Mapped[bool] = mapped_column(default=False)

    resolved_at: Mapped[datetime | None]  # the latest resolution
    mttr_seconds: Mapped[float | None]
    mttr_sla_seconds: Mapped[float | None]  # on the policy's clock: business hours, no pauses
    first_contact: Mapped[bool | None]  # resolved at first contact (README, "Reports")
    reopened: Mapped[bool] = mapped_column(default=False)

    response_met: Mapped[bool | None]  # None: no policy judged it (yet)
    response_judged_at: Mapped[datetime | None]
    resolution_met: Mapped[bool | None]
    resolution_judged_at: Mapped[datetime | None]

    closed_at: Mapped[datetime | None]
    rating: Mapped[int | None]

    # A range on a measure's own instant reads the counts; the percentiles walk the index
    # that starts with the measured value in order, counting off the ranks (reads.kpis).
    __table_args__ = (
        Index("ix_incident_facts_opened", "opened_at", "escalated", *DIMENSIONS),
        Index("ix_incident_facts_mtta", "mtta_seconds", "opened_at", *DIMENSIONS),
        Index("ix_incident_facts_resolved", "resolved_at", *DIMENSIONS, "agent_id"),
        Index("ix_incident_facts_mttr", "mttr_seconds", "resolved_at", *DIMENSIONS),
        Index(
            "ix_incident_facts_priority_mttr",
            "priority",
            "mttr_seconds",
            "resolved_at",
            *DIMENSIONS[1:],
        ),
        Index("ix_incident_facts_mttr_sla", "mttr_sla_seconds", "resolved_at", *DIMENSIONS),
        Index("ix_incident_facts_response", "response_judged_at", "response_met"),
        Index("ix_incident_facts_resolution", "resolution_judged_at", "resolution_met"),
        Index("ix_incident_facts_closed", "closed_at", "rating"),
    )


class IncidentOpenSpan(Model):
    """A stretch of time an incident was open (not resolved, closed nor cancelled): one from
    its opening, and one more from each reopening; `ended_at` None while it still is."""

    __tablename__ = "incident_open_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
