"""One incident's measures, read off its audit trail and its SLA clock: a pure function, so
the keeper (after every change), `helpdesk reports rebuild` and the tests derive them alike.

The definitions (README, "Reports"), as computed here:
- acknowledged: the first of an agent's public reply, an agent taking ownership, or an
  assignment naming an agent; an incident an agent logged by phone, at the desk or in a chat
  was acknowledged as it was logged (the SLA clock counts that as its first response too);
- resolved: the latest move to resolved, while it stands (a reopening withdraws it);
- resolution time: that resolution minus the opening, wall-clock; in SLA time, what the
  policy's clock counted toward the resolution target (business hours, pauses and the time
  spent resolved before a reopening left out);
- first contact: resolved, never assigned to more than one team, never escalated, never
  reopened, and at most one public agent reply before the resolution;
- open spans: from the opening, and from each reopening, to the next move to resolved,
  closed or cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk import lifecycle
from helpdesk.channels import AGENT_CHANNELS
from helpdesk.models import AuditEvent, Incident
from helpdesk.sla.clock import ClockState, TargetState
from helpdesk.sla_policies.timeline import is_agent_reply

Span = tuple[datetime, datetime | None]
ASSIGNING = ("assigned", "escalated")
# The facts row's columns, as `derive` fills them.
FACT_NAMES = (
    "opened_at",
    "priority",
    "channel",
    "team_id",
    "category_id",
    "service_id",
    "agent_id",
    "acknowledged_at",
    "mtta_seconds",
    "escalated",
    "resolved_at",
    "mttr_seconds",
    "mttr_sla_seconds",
    "first_contact",
    "reopened",
    "closed_at",
    "rating",
    "response_met",
    "response_judged_at",
    "resolution_met",
    "resolution_judged_at",
)


@dataclass(frozen=True)
class Derived:
    """The incident's facts row (column -> value) and its open spans."""

    facts: dict[str, Any]
    spans: list[Span]


def derive(incident: Incident, trail: Sequence[AuditEvent], clock: ClockState | None) -> Derived:
    """The measures of `incident`, whose audit trail in order is `trail` and whose SLA clock
    stands at `clock` (None: no policy holds it)."""
    opened = incident.created_at
    resolved_at = _standing_resolution(incident, trail)
    acknowledged_at = _acknowledged(trail)
    facts: dict[str, Any] = {
        "opened_at": opened,
        "priority": incident.priority,
        "channel": incident.channel,
        "team_id": incident.assigned_team_id,
        "category_id": incident.category_id,
        "service_id": incident.service_id,
        "agent_id": incident.assigned_agent_id or _resolver(trail, resolved_at),
        "acknowledged_at": acknowledged_at,
        "mtta_seconds": _seconds(opened, acknowledged_at),
        "escalated": any(entry.action == "escalated" for entry in trail),
        "resolved_at": resolved_at,
        "mttr_seconds": _seconds(opened, resolved_at),
        "mttr_sla_seconds": _counted(clock, resolved_at),
        "first_contact": _first_contact(trail, resolved_at),
        "reopened": any(_reopens(entry) for entry in trail),
        "closed_at": _last_move(trail, lifecycle.CLOSED),
        "rating": incident.satisfaction_rating,
    }
    for name in ("response", "resolution"):
        met, judged_at = _judged(getattr(clock, name) if clock else None)
        facts[f"{name}_met"], facts[f"{name}_judged_at"] = met, judged_at
    return Derived(facts, open_spans(opened, trail))


def open_spans(opened: datetime, trail: Sequence[AuditEvent]) -> list[Span]:
    """The stretches the incident was open, in order; the last one's end is None while it
    still is."""
    spans: list[Span] = []
    start: datetime | None = opened
    for entry in trail:
        after = entry.details.get("to")
        if after is None:
            continue
        if start is not None and after not in lifecycle.OPEN_STATUSES:
            spans.append((start, entry.created_at))
            start = None
        elif start is None and after in lifecycle.OPEN_STATUSES:
            start = entry.created_at
    if start is not None:
        spans.append((start, None))
    return spans


def _standing_resolution(incident: Incident, trail: Sequence[AuditEvent]) -> datetime | None:
    """The latest move to resolved, unless the incident has been reopened or cancelled since."""
    if incident.status not in (lifecycle.RESOLVED, lifecycle.CLOSED):
        return None
    return _last_move(trail, lifecycle.RESOLVED)


def _last_move(trail: Sequence[AuditEvent], status: str) -> datetime | None:
    """When the trail last moved the incident to `status`."""
    moves = [entry.created_at for entry in trail if entry.details.get("to") == status]
    return moves[-1] if moves else None


def _acknowledged(trail: Sequence[AuditEvent]) -> datetime | None:
    """The first acknowledgement by an agent (see the module docstring)."""
    for entry in trail:
        if (
            (entry.action == "opened" and entry.details.get("channel") in AGENT_CHANNELS)
            or (entry.action == "replied" and is_agent_reply(entry))
            or entry.action == "took_ownership"
            or (entry.action in ASSIGNING and entry.details.get("agent"))
        ):
            return entry.created_at
    return None


def _first_contact(trail: Sequence[AuditEvent], resolved_at: datetime | None) -> bool | None:
    """Whether a resolved incident was resolved at first contact (None: not resolved)."""
    if resolved_at is None:
        return None
    teams = {entry.details.get("team") for entry in trail if entry.action in ASSIGNING}
    replies = sum(
        1
        for entry in trail
        if entry.action == "replied" and is_agent_reply(entry) and entry.created_at <= resolved_at
    )
    return (
        len(teams - {None}) <= 1
        and not any(entry.action == "escalated" or _reopens(entry) for entry in trail)
        and replies <= 1
    )


def _reopens(entry: AuditEvent) -> bool:
    """Whether the entry moved the incident from resolved back to work."""
    return (
        entry.details.get("from") == lifecycle.RESOLVED
        and entry.details.get("to") in lifecycle.OPEN_STATUSES
    )


def _resolver(trail: Sequence[AuditEvent], resolved_at: datetime | None) -> int | None:
    """The agent who gave the standing resolution, when no agent is assigned."""
    for entry in reversed(trail):
        if entry.created_at == resolved_at and entry.details.get("to") == lifecycle.RESOLVED:
            actor = entry.actor
            return actor.id if actor is not None and actor.is_agent else None
    return None


def _counted(clock: ClockState | None, resolved_at: datetime | None) -> float | None:
    """The SLA time a standing resolution took: what the resolution target counted."""
    if clock is None or resolved_at is None:
        return None
    return clock.resolution.counted.total_seconds()


def _judged(target: TargetState | None) -> tuple[bool | None, datetime | None]:
    """Whether a target was met or breached, and when; (None, None) while neither."""
    if target is None:
        return None, None
    if target.breached_at is not None:
        return False, target.breached_at
    if target.met_at is not None:
        return True, target.met_at
    return None, None


def _seconds(start: datetime, end: datetime | None) -> float | None:
    """The time from `start` to `end` in seconds (None without an end)."""
    return None if end is None else (end - start).total_seconds()
