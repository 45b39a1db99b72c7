"""SLA policies through the API, to read: each policy's targets per priority, the calendar
they count on, the hold reasons that pause them, what it applies to and whether it escalates.

Agents read them, though the web keeps the policy pages (/admin/sla) for admins who change
them: the console already shows an agent each incident's policy, its allowance per target
and the working time counted, and a program acting for an agent (a dashboard, a chat bot
saying when an answer is due) needs the same facts. End users get 403, as on the web, where
they never see a policy. Changes stay on the admin pages and `helpdesk sla import`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field
from spectree import Response

from helpdesk.api.auth import agents_only, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.schemas import Entry
from helpdesk.models import CatalogueEntry, SlaCalendar, SlaPolicy
from helpdesk.reads.sla_policy import parsed
from helpdesk.sla.calendar import WEEKDAYS
from helpdesk.sla.durations import format_duration
from helpdesk.sla_policies import store

# What only agents do here, as the console's pages say it ("Only agents ...").
AGENTS_WORK = "read the SLA policies"


class TargetsOut(BaseModel):
    """One priority's response and resolution targets."""

    priority: int = Field(description="1 (critical) to 5 (planning)")
    response: str = Field(description="As the policy writes it, e.g. 15m, 4h, 2h30m.")
    response_minutes: float
    resolution: str
    resolution_minutes: float
    clock: Literal["business", "24x7"] = Field(
        description="business: counted in the calendar's working hours; 24x7: all the time."
    )


class CalendarOut(BaseModel):
    """The working hours a business clock counts in."""

    id: int
    name: str
    timezone: str = Field(description="An IANA zone, e.g. Europe/Berlin.")
    hours: dict[str, list[str]] = Field(
        description="Working windows per weekday, mon to sun, e.g. ['09:00-12:00']; "
        "an empty list is a day off."
    )
    holidays: list[str] = Field(description="Days off, as ISO dates.")
    country: str | None = Field(description="Whose public holidays are days off too.")
    subdivision: str | None


class PolicyOut(BaseModel):
    """An SLA policy."""

    id: int
    name: str
    is_default: bool = Field(description="Held to when no other policy applies.")
    service: Entry | None = Field(description="The service it applies to, if it names one.")
    category: Entry | None = Field(description="The category it applies to, if it names one.")
    targets: list[TargetsOut] = Field(description="By priority, P1 first.")
    calendar: CalendarOut
    pause_on: list[str] = Field(description="The hold reasons that pause the clocks.")
    warn_at: float = Field(description="The share of a target at which it is warned (0-1].")
    escalate_on: str = Field(
        description="never, warning or breach: when an incident moves to its team's "
        "escalation team by itself."
    )


class Policies(BaseModel):
    """Every policy, by name."""

    items: list[PolicyOut]


def _minutes(amount: timedelta) -> float:
    """A target in minutes (fractional for one written with seconds)."""
    return amount.total_seconds() / 60


def _entry(entry: CatalogueEntry | None) -> Entry | None:
    """The service or category a policy names, if it names one."""
    return Entry(id=entry.id, name=entry.name) if entry is not None else None


def calendar_out(row: SlaCalendar) -> CalendarOut:
    """A calendar as the API sends it, every weekday named."""
    return CalendarOut(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        hours={day: list(row.hours.get(day, [])) for day in WEEKDAYS},
        holidays=list(row.holidays),
        country=row.country,
        subdivision=row.subdivision,
    )


def policy_out(row: SlaPolicy) -> PolicyOut:
    """A policy with its targets as the clock reads them (the same parser)."""
    targets = [
        TargetsOut(
            priority=priority,
            response=format_duration(response.amount),
            response_minutes=_minutes(response.amount),
            resolution=format_duration(resolution.amount),
            resolution_minutes=_minutes(resolution.amount),
            clock="24x7" if response.around_the_clock else "business",
        )
        for priority, (response, resolution) in sorted(parsed(row).targets.items())
    ]
    return PolicyOut(
        id=row.id,
        name=row.name,
        is_default=row.is_default,
        service=_entry(row.service),
        category=_entry(row.category),
        targets=targets,
        calendar=calendar_out(row.calendar),
        pause_on=list(row.pause_on),
        warn_at=row.warn_at,
        escalate_on=row.escalate_on,
    )


@bp.get("/sla/policies")
@requires("read")
@spec.validate(resp=Response(HTTP_200=Policies, **REFUSALS), tags=["sla"])
def sla_policies() -> Policies | object:
    """Every SLA policy, by name (agents only)."""
    agents_only(AGENTS_WORK)
    return Policies(items=[policy_out(row) for row in store.policies()])


@bp.get("/sla/policies/<int:policy_id>")
@requires("read")
@spec.validate(resp=Response(HTTP_200=PolicyOut, HTTP_404=Problem, **REFUSALS), tags=["sla"])
def sla_policy(policy_id: int) -> PolicyOut | object:
    """One SLA policy (agents only)."""
    agents_only(AGENTS_WORK)
    return policy_out(store.policy(policy_id))
