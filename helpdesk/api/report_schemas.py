"""What `/reports/kpis` takes and sends: the range and filters, and every measure (README,
"Reports", defines each exactly; null where nothing was measured)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from helpdesk.channels import INCIDENT_CHANNELS

ID = Field(default=None, ge=1, le=2**31 - 1)


class KpiQuery(BaseModel):
    """The days (both included, in the reporting time zone) and the filters: the
    incidents' current team, category, service, priority and channel."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: date = Field(alias="from", description="The first day, YYYY-MM-DD.")
    last: date = Field(alias="to", description="The last day, YYYY-MM-DD (included).")
    team: int | None = ID
    category: int | None = ID
    service: int | None = ID
    priority: int | None = Field(default=None, ge=1, le=5)
    channel: str | None = Field(
        default=None,
        pattern="^(" + "|".join(INCIDENT_CHANNELS) + ")$",
        description="One of " + ", ".join(INCIDENT_CHANNELS) + ".",
    )


class Times(BaseModel):
    """A measured time in seconds: mean, median (the mean of the two middle values for an
    even count) and 90th percentile (nearest rank)."""

    mean: float | None
    median: float | None
    p90: float | None


class ResolutionTimes(Times):
    """Resolution times, also per priority (P1..P5; only priorities resolved in the range)."""

    by_priority: dict[str, Times]


class SlaRates(BaseModel):
    """The share of targets met among those met or breached in the range."""

    response_met_rate: float | None
    resolution_met_rate: float | None


class Satisfaction(BaseModel):
    """Ratings (1-5) of the incidents closed in the range."""

    average: float | None
    responses: int
    closed: int
    response_rate: float | None


class Kpis(BaseModel):
    """The incident-management KPIs of the range; rates are shares from 0 to 1."""

    opened: int
    resolved: int
    backlog_end: int = Field(description="Open (not resolved, closed nor cancelled) at the end.")
    mtta_seconds: Times
    mttr_seconds: ResolutionTimes
    mttr_sla_seconds: Times = Field(description="On the policy's clock: business hours, no pauses.")
    fcr_rate: float | None
    reopen_rate: float | None
    escalation_rate: float | None
    sla: SlaRates
    csat: Satisfaction
    mtbf_seconds_by_service: dict[str, float | None]
    resolved_by_agent: dict[str, int] = Field(description="By the agent's email address.")
