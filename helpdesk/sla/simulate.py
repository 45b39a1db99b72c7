"""`helpdesk sla simulate`: the SLA clock on a timeline written as JSON, so an admin can check
a policy before using it, without a database.

Input: {"calendar": {...}, "targets": {"P3": {"response": "4h", "resolution": "16h",
"clock": "business"}, ...}, "pause_on": ["awaiting_user"], "warn_at": 0.75, "events":
[{"at": "2026-12-04T15:00:00+01:00", "type": "opened", "priority": 3}, ...], "now": "..."}.
The policy fields are read by helpdesk.sla.spec.parse_policy, as stored policies are;
times need a UTC offset. Output: for "response" and "resolution", "due_at", "met_at",
"breached_at" and "warned_at" in UTC ending in "Z", or null. Every bad value raises a
SimulationError naming its field, unknown fields included (a misspelt "pause_on" would
otherwise silently fall back to the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from helpdesk.sla.clock import KINDS, ClockError, ClockState, Event, TargetState, run
from helpdesk.sla.spec import POLICY_FIELDS, PolicySpecError, fields_of, list_of, parse_policy

FIELDS = POLICY_FIELDS | {"events", "now"}
EVENT_FIELDS = {"at", "type", "priority", "reason"}


class SimulationError(ValueError):
    """Input the simulation cannot run; the message starts with the field, e.g. `now: ...`."""


def simulate(spec: Mapping[str, Any]) -> dict[str, dict[str, str | None]]:
    """Run the clock the input describes and return the output as JSON-ready dicts."""
    try:
        fields_of(spec, "", FIELDS)
        policy = parse_policy(spec)
        events = list_of(spec.get("events"), "events")
        timeline = [_event(event, f"events[{index}]") for index, event in enumerate(events)]
        if "now" not in spec:
            raise SimulationError("now: missing")
        state = run(policy, timeline, _instant(spec["now"], "now"))
    except (PolicySpecError, ClockError) as error:
        raise SimulationError(str(error)) from error
    return _output(state)


def _event(spec: object, where: str) -> Event:
    spec = fields_of(spec, where, EVENT_FIELDS)
    kind, priority, reason = spec.get("type"), spec.get("priority"), spec.get("reason")
    if kind not in KINDS:
        raise SimulationError(f"{where}.type: {kind!r} is not one of {', '.join(KINDS)}")
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
        raise SimulationError(f"{where}.priority: {priority!r} is not a whole number")
    if reason is not None and not isinstance(reason, str):
        raise SimulationError(f"{where}.reason: {reason!r} is not text")
    return Event(_instant(spec.get("at"), f"{where}.at"), str(kind), priority, reason)


def _instant(text: object, where: str) -> datetime:
    """A naive UTC instant from an ISO 8601 time with an offset."""
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise SimulationError(f"{where}: {text!r} is not an ISO 8601 time")
    if moment.utcoffset() is None:
        raise SimulationError(f"{where}: {text!r} has no UTC offset (add Z or +01:00)")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _output(state: ClockState) -> dict[str, dict[str, str | None]]:
    return {"response": _times(state.response), "resolution": _times(state.resolution)}


def _times(target: TargetState) -> dict[str, str | None]:
    instants = {
        "due_at": target.due_at,
        "met_at": target.met_at,
        "breached_at": target.breached_at,
        "warned_at": target.warned_at,
    }
    return {name: None if at is None else f"{at.isoformat()}Z" for name, at in instants.items()}
