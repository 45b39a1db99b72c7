"""The SLA clock's timeline on the incident page: each target's policy allowance, where it
stands, and its segments (running, paused, stopped, met, breached) with the time counted,
laid out for a table and a bar, so an agent sees why an incident is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.extensions import db
from helpdesk.models import Incident, SlaPolicy
from helpdesk.reads.sla_policy import parsed
from helpdesk.sla.clock import Segment, Target, TargetState
from helpdesk.sla_policies.clocks import TARGETS, clock_of

# The bar is an SVG this wide (the page's CSP allows no style attributes, so widths are
# SVG geometry, stretched to the card by preserveAspectRatio="none").
BAR_WIDTH = 1000.0


@dataclass(frozen=True)
class Bar:
    """One segment as a stretch of the bar: where it starts and how wide it is."""

    segment: Segment
    x: float
    width: float


@dataclass(frozen=True)
class TargetTimeline:
    """One target on the page: its name, allowance now (None if the policy lost the
    priority), where it stands and its segments."""

    name: str
    target: Target | None
    state: TargetState
    bars: tuple[Bar, ...]


def bars(segments: tuple[Segment, ...]) -> tuple[Bar, ...]:
    """Lay the segments end to end over BAR_WIDTH, each as wide as its share of the time."""
    if not segments:
        return ()
    start, end = segments[0].start, segments[-1].end
    total = (end - start).total_seconds() or 1.0
    scale = BAR_WIDTH / total
    return tuple(
        Bar(s, (s.start - start).total_seconds() * scale, (s.end - s.start).total_seconds() * scale)
        for s in segments
    )


def sla_timeline(incident: Incident, now: datetime) -> dict[str, Any]:
    """What templates/agent/_sla_timeline.html shows: the policy and each target's timeline
    (an empty list when no policy holds the incident)."""
    state = clock_of(incident, now)
    policy = db.session.get(SlaPolicy, incident.sla_policy_id) if incident.sla_policy_id else None
    if state is None or policy is None:
        return {"sla_policy": None, "sla_targets": []}
    allowances = parsed(policy).targets.get(incident.priority, (None, None))
    targets = [
        TargetTimeline(name, allowance, target, bars(target.segments))
        for name, allowance, target in zip(
            TARGETS, allowances, (state.response, state.resolution), strict=True
        )
    ]
    return {"sla_policy": policy, "sla_targets": targets}
