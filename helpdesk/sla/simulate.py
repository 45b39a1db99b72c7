"""`helpdesk sla simulate`: the SLA clock on a timeline written as JSON, so an admin can check
a policy before using it, without a database.

Input: {"calendar": {...}, "targets": {"P3": {"response": "4h", "resolution": "16h",
"clock": "business"}, ...}, "pause_on": ["awaiting_user"], "warn_at": 0.75, "events":
[{"at": "2026-12-04T15:00:00+01:00", "type": "opened", "priority": 3}, ...], "now": "..."}.
Times need a UTC offset; `clock` is "business" (the default) or "24x7". Output: for
"response" and "resolution", "due_at", "met_at", "breached_at" and "warned_at" in UTC ending
in "Z", or null. Every bad value raises a SimulationError naming its field, unknown fields
included (a misspelt "pause_on" would otherwise silently fall back to the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from helpdesk.sla.calendar import CalendarError, parse_calendar
from helpdesk.sla.clock import (
    KINDS,
    ClockError,
    ClockState,
    Event,
    Policy,
    Target,
    TargetState,
    run,
)
from helpdesk.sla.durations import DurationError, parse_duration

FIELDS = {"calendar", "targets", "pause_on", "warn_at", "events", "now"}
EVENT_FIELDS = {"at", "type", "priority", "reason"}
TARGET_FIELDS = {"response", "resolution", "clock"}
CLOCKS = {"business": False, "24x7": True}
PRIORITIES = {f"P{priority}": priority for priority in range(1, 6)}


class SimulationError(ValueError):
    """Input the simulation cannot run; the message starts with the field, e.g. `now: ...`."""


def simulate(spec: Mapping[str, Any]) -> dict[str, dict[str, str | None]]:
    """Run the clock the input describes and return the output as JSON-ready dicts."""
    _object(spec, "", FIELDS)
    policy = _policy(spec)
    events = _list(spec.get("events"), "events")
    timeline = [_event(event, f"events[{index}]") for index, event in enumerate(events)]
    if "now" not in spec:
        raise SimulationError("now: missing")
    try:
        state = run(policy, timeline, _instant(spec["now"], "now"))
    except ClockError as error:
        raise SimulationError(str(error)) from error
    return _output(state)


def _policy(spec: Mapping[str, Any]) -> Policy:
    try:
        calendar = parse_calendar(_object(spec.get("calendar"), "calendar"))
    except CalendarError as error:
        raise SimulationError(f"calendar: {error}") from error
    targets = _object(spec.get("targets"), "targets", set(PRIORITIES))
    pause_on = _list(spec.get("pause_on", ["awaiting_user"]), "pause_on")
    if not all(isinstance(reason, str) for reason in pause_on):
        raise SimulationError("pause_on: not a list of hold reasons")
    warn_at = spec.get("warn_at", 0.75)
    if isinstance(warn_at, bool) or not isinstance(warn_at, int | float) or not 0 < warn_at <= 1:
        raise SimulationError(f"warn_at: {warn_at!r} is not a number above 0 and at most 1")
    return Policy(
        calendar,
        {PRIORITIES[key]: _targets(value, f"targets.{key}") for key, value in targets.items()},
        frozenset(pause_on),
        float(warn_at),
    )


def _targets(spec: object, where: str) -> tuple[Target, Target]:
    """One priority's (response, resolution)."""
    spec = _object(spec, where, TARGET_FIELDS)
    clock = spec.get("clock", "business")
    if clock not in CLOCKS:
        raise SimulationError(f"{where}.clock: {clock!r} is neither 'business' nor '24x7'")
    around_the_clock = CLOCKS[clock]
    return (
        _target(spec, "response", where, around_the_clock),
        _target(spec, "resolution", where, around_the_clock),
    )


def _target(spec: Mapping[str, Any], name: str, where: str, around_the_clock: bool) -> Target:
    text = spec.get(name)
    if not isinstance(text, str):
        raise SimulationError(f"{where}.{name}: missing, or not a duration like 4h")
    try:
        return Target(parse_duration(text), around_the_clock)
    except DurationError as error:
        raise SimulationError(f"{where}.{name}: {error}") from error


def _event(spec: object, where: str) -> Event:
    spec = _object(spec, where, EVENT_FIELDS)
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


def _object(value: object, where: str, fields: set[str] | None = None) -> Mapping[str, Any]:
    """`value` as a JSON object, with only the `fields` named when they are given; `where`
    is its path, empty for the whole input."""
    if not isinstance(value, Mapping):
        raise SimulationError(f"{where or 'the input'}: missing, or not an object")
    unknown = sorted(set(value) - fields) if fields is not None else []
    if unknown:
        path = f"{where}.{unknown[0]}" if where else unknown[0]
        raise SimulationError(f"{path}: unknown field (known: {', '.join(sorted(fields or ()))})")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise SimulationError(f"{where}: missing, or not a list")
    return value


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
