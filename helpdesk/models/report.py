"""The reports' facts: each incident's measures (helpdesk.kpi.facts), kept current from its
audit trail in the same transaction as every change (helpdesk.reports.keeper), so a report
aggregates indexed columns instead of replaying a million trails.

The dimensions a report filters by (team, category, service, priority, channel) are copied
from the incident as it is now: a report of a team counts the incidents that team has.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
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
        # The failures of a range for the time between failures: P1 and P2 by opening.
        Index("ix_incident_facts_failures", "priority", "opened_at", "service_id", "resolved_at"),
    )


class IncidentOpenSpan(Model):
    """A stretch of time an incident was open (not resolved, closed nor cancelled): one from
    its opening, and one more from each reopening; `ended_at` None while it still is."""

    __tablename__ = "incident_open_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    # Open at T: ended at or after T, or not yet (the few recent ones), begun before T.
    __table_args__ = (
        Index("ix_incident_open_spans_ended", "ended_at", "started_at", "incident_id"),
    )


# The counts and sums a day of reports adds up, per day and current dimensions (KpiDay).
KPI_COUNTS = (
    "opened",  # opened that day
    "escalated",  # of those, escalated at least once
    "acknowledged",  # of those, acknowledged
    "mtta_ms",  # their times to acknowledge, in milliseconds
    "resolved",  # latest standing resolution that day
    "first_contact",
    "reopened",
    "mttr_ms",
    "mttr_sla_counted",  # of the resolved, those a policy's clock counted
    "mttr_sla_ms",
    "response_met",  # targets judged that day
    "response_breached",
    "resolution_met",
    "resolution_breached",
    "closed",  # closed that day
    "rated",
    "rating_sum",
    "spans_started",  # open spans begun that day (an opening or a reopening)
    "spans_ended",
)


# A dimension of a KpiDay row summed over all its values (team, category, service, agent;
# channel).
ANY_ID = -1
ANY_CHANNEL = "*"


class KpiDay(Model):
    """The facts summed per day (in the reporting zone of ReportState) and per priority,
    at three levels (helpdesk.reports.summary): every incident of the day and priority
    (team, category, service, channel and agent all ANY); those of one team, category,
    service, channel or agent (the other four ANY); and those of one team, category,
    service, channel and agent together (0: none). A report reads the level its filters
    need, so a year's dashboard adds up a few thousand rows whatever the volume. Kept
    current with the facts; times are whole milliseconds, so sums added and taken away stay
    exact."""

    __tablename__ = "kpi_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    agent_id: Mapped[int] = mapped_column(primary_key=True)  # the agent credited (facts)

    opened: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[int] = mapped_column(default=0)
    acknowledged: Mapped[int] = mapped_column(default=0)
    mtta_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    first_contact: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    mttr_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    mttr_sla_counted: Mapped[int] = mapped_column(default=0)
    mttr_sla_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    response_met: Mapped[int] = mapped_column(default=0)
    response_breached: Mapped[int] = mapped_column(default=0)
    resolution_met: Mapped[int] = mapped_column(default=0)
    resolution_breached: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    spans_started: Mapped[int] = mapped_column(default=0)
    spans_ended: Mapped[int] = mapped_column(default=0)

    # A level's rows by their fixed dimensions first, then the range of days.
    __table_args__ = (
        Index(
            "ix_kpi_days_level",
            "team_id",
            "category_id",
            "service_id",
            "channel",
            "agent_id",
            "day",
        ),
    )


class ReportState(Model):
    """The one row saying which time zone's days kpi_days counts (a change of
    REPORTS_TIME_ZONE takes effect when `helpdesk reports rebuild` recounts them)."""

    __tablename__ = "report_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone: Mapped[str] = mapped_column(String(64))
