"""An SLA policy written as data, parsed in one place: `helpdesk sla simulate`'s JSON, the
policies kept in the database and their TOML files all go through `parse_policy`, so an
admin gets the same message for the same mistake wherever they make it.

The spec: {"calendar": {...}, "targets": {"P3": {"response": "4h", "resolution": "16h",
"clock": "business"}, ...}, "pause_on": ["awaiting_user"], "warn_at": 0.75}; `clock` is
"business" (the default) or "24x7". Every bad value raises a PolicySpecError whose message
starts with the field, e.g. `targets.P3.response: '4 hours' is not a duration ...`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from helpdesk.sla.calendar import CalendarError, parse_calendar
from helpdesk.sla.clock import Policy, Target
from helpdesk.sla.durations import DurationError, parse_duration

POLICY_FIELDS = frozenset({"calendar", "targets", "pause_on", "warn_at"})
TARGET_FIELDS = frozenset({"response", "resolution", "clock"})
CLOCKS = {"business": False, "24x7": True}
PRIORITIES = {f"P{priority}": priority for priority in range(1, 6)}
DEFAULT_PAUSE_ON = ("awaiting_user",)
DEFAULT_WARN_AT = 0.75


class PolicySpecError(ValueError):
    """A policy spec that cannot be used; the message starts with the field at fault."""


def parse_policy(spec: Mapping[str, Any], every_priority: bool = False) -> Policy:
    """The policy the spec's POLICY_FIELDS describe (other keys are the caller's to check);
    `every_priority` refuses targets that leave a priority out, as a policy that incidents
    are held to must (the simulator only needs the priorities its timeline uses)."""
    fields_of(spec, "")
    try:
        calendar = parse_calendar(fields_of(spec.get("calendar"), "calendar"))
    except CalendarError as error:
        raise PolicySpecError(f"calendar: {error}") from error
    targets = fields_of(spec.get("targets"), "targets", PRIORITIES.keys())
    missing = [key for key in PRIORITIES if key not in targets]
    if every_priority and missing:
        raise PolicySpecError(f"targets.{missing[0]}: missing (every priority needs targets)")
    pause_on = list_of(spec.get("pause_on", list(DEFAULT_PAUSE_ON)), "pause_on")
    if not all(isinstance(reason, str) for reason in pause_on):
        raise PolicySpecError("pause_on: not a list of hold reasons")
    warn_at = spec.get("warn_at", DEFAULT_WARN_AT)
    if isinstance(warn_at, bool) or not isinstance(warn_at, int | float) or not 0 < warn_at <= 1:
        raise PolicySpecError(f"warn_at: {warn_at!r} is not a number above 0 and at most 1")
    return Policy(
        calendar,
        {PRIORITIES[key]: _targets(value, f"targets.{key}") for key, value in targets.items()},
        frozenset(pause_on),
        float(warn_at),
    )


def _targets(spec: object, where: str) -> tuple[Target, Target]:
    """One priority's (response, resolution)."""
    spec = fields_of(spec, where, TARGET_FIELDS)
    clock = spec.get("clock", "business")
    if clock not in CLOCKS:
        raise PolicySpecError(f"{where}.clock: {clock!r} is neither 'business' nor '24x7'")
    around_the_clock = CLOCKS[clock]
    return (
        _target(spec, "response", where, around_the_clock),
        _target(spec, "resolution", where, around_the_clock),
    )


def _target(spec: Mapping[str, Any], name: str, where: str, around_the_clock: bool) -> Target:
    text = spec.get(name)
    if not isinstance(text, str):
        raise PolicySpecError(f"{where}.{name}: missing, or not a duration like 4h")
    try:
        return Target(parse_duration(text), around_the_clock)
    except DurationError as error:
        raise PolicySpecError(f"{where}.{name}: {error}") from error


def fields_of(value: object, where: str, known: Collection[str] | None = None) -> Mapping[str, Any]:
    """`value` as an object, with only the `known` fields when they are given (a misspelt
    field would otherwise silently fall back to its default); `where` is its path, empty for
    the whole input."""
    if not isinstance(value, Mapping):
        raise PolicySpecError(f"{where or 'the input'}: missing, or not an object")
    if known is None:
        return value
    unknown = sorted(set(value) - set(known))
    if unknown:
        path = f"{where}.{unknown[0]}" if where else unknown[0]
        raise PolicySpecError(f"{path}: unknown field (known: {', '.join(sorted(known))})")
    return value


def list_of(value: object, where: str) -> list[Any]:
    """`value` as a list, or an error naming `where`."""
    if not isinstance(value, list):
        raise PolicySpecError(f"{where}: missing, or not a list")
    return value
