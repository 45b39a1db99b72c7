"""`helpdesk sla simulate FILE.json`: the clock on a JSON timeline, and the errors that name
the field at fault. 2026-12-04 is a Friday; Berlin is UTC+1 in December."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpdesk.cli import main
from helpdesk.sla.cli import sla_group
from helpdesk.sla.simulate import SimulationError, simulate

WORKDAY = ["09:00-12:00", "13:00-17:00"]
SPEC: dict[str, Any] = {
    "calendar": {
        "timezone": "Europe/Berlin",
        "hours": {"mon": WORKDAY, "tue": WORKDAY, "wed": WORKDAY, "thu": WORKDAY, "fri": WORKDAY},
        "holidays": ["2026-12-25"],
    },
    "targets": {
        "P3": {"response": "4h", "resolution": "16h", "clock": "business"},
        "P1": {"response": "15m", "resolution": "4h", "clock": "24x7"},
    },
    "pause_on": ["awaiting_user"],
    "warn_at": 0.75,
    "events": [
        {"at": "2026-12-04T15:00:00+01:00", "type": "opened", "priority": 3},
        {"at": "2026-12-07T10:30:00+01:00", "type": "agent_public_reply"},
        {"at": "2026-12-07T11:00:00+01:00", "type": "hold", "reason": "awaiting_user"},
        {"at": "2026-12-08T08:00:00Z", "type": "requester_reply"},
    ],
    "now": "2026-12-08T12:00:00+01:00",
}
# Response: 2h on Friday, met on Monday at 10:30 (warned at 3h, Monday 10:00). Resolution:
# 4h by the hold on Monday at 11:00, 12h left from Tuesday 09:00: 7h Tuesday, 5h Wednesday.
EXPECTED = {
    "response": {
        "due_at": None,
        "met_at": "2026-12-07T09:30:00Z",
        "breached_at": None,
        "warned_at": "2026-12-07T09:00:00Z",
    },
    "resolution": {
        "due_at": "2026-12-09T14:00:00Z",
        "met_at": None,
        "breached_at": None,
        "warned_at": None,
    },
}


def changed(path: str, value: object) -> dict[str, Any]:
    """SPEC with the value at a dotted path ("events.1.at") replaced, or removed if None."""
    spec = copy.deepcopy(SPEC)
    *parents, last = path.split(".")
    container: Any = spec
    for key in parents:
        container = container[int(key) if isinstance(container, list) else key]
    if value is None:
        del container[last]
    else:
        container[int(last) if isinstance(container, list) else last] = value
    return spec


def test_simulate() -> None:
    assert simulate(SPEC) == EXPECTED


def test_defaults_business_clock_pause_on_and_warning() -> None:
    spec = changed("targets.P3.clock", None)
    spec = {key: value for key, value in spec.items() if key not in ("pause_on", "warn_at")}
    assert simulate(spec) == EXPECTED


def test_a_priority_change_to_an_around_the_clock_target() -> None:
    spec = changed(
        "events.3", {"at": "2026-12-07T10:00:00+01:00", "type": "priority", "priority": 1}
    )
    spec["events"] = spec["events"][:1] + spec["events"][3:]
    spec["now"] = "2026-12-07T10:00:00+01:00"
    # 3h counted on the business clock is over P1's 15m, and 75% of its 4h.
    assert simulate(spec)["response"]["breached_at"] == "2026-12-07T09:00:00Z"
    assert simulate(spec)["resolution"] == {
        "due_at": "2026-12-07T10:00:00Z",
        "met_at": None,
        "breached_at": None,
        "warned_at": "2026-12-07T09:00:00Z",
    }


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("events.1.at", "yesterday", "events[1].at: 'yesterday' is not an ISO 8601 time"),
        ("events.1.at", 5, "events[1].at: 5 is not an ISO 8601 time"),
        ("events.1.at", "2026-12-07T10:30:00", "events[1].at: '2026-12-07T10:30:00' has no UTC"),
        ("events.1.at", "2026-12-09T10:30:00+01:00", "events[1].at: 2026-12-09T09:30:00Z is after"),
        ("events.1.at", "2026-12-01T10:30:00+01:00", "events[1].at: 2026-12-01T09:30:00Z is bef"),
        ("events.1.at", None, "events[1].at: None is not an ISO 8601 time"),
        ("events.1.type", "escalated", "events[1].type: 'escalated' is not one of opened"),
        ("events.1.priority", "high", "events[1].priority: 'high' is not a whole number"),
        ("events.0.priority", 4, "events[0].priority: no targets for priority 4"),
        ("events.2.reason", None, "events[2].reason: a hold needs a reason"),
        ("events.2.reason", 7, "events[2].reason: 7 is not text"),
        ("events.2.why", "x", "events[2].why: unknown field"),
        ("events.1", "reply", "events[1]: missing, or not an object"),
        ("events", {}, "events: missing, or not a list"),
        ("events", [], "events: need exactly one 'opened' event, not 0"),
        ("targets.P3.response", "4 hours", "targets.P3.response: '4 hours' is not a duration"),
        ("targets.P3.resolution", 16, "targets.P3.resolution: missing, or not a duration"),
        ("targets.P3.clock", "weekly", "targets.P3.clock: 'weekly' is neither"),
        ("targets.P9", {}, "targets.P9: unknown field (known: P1, P2, P3, P4, P5)"),
        ("targets", None, "targets: missing, or not an object"),
        ("pause_on", "awaiting_user", "pause_on: missing, or not a list"),
        ("pause_on", [1], "pause_on: not a list of hold reasons"),
        ("warn_at", 2, "warn_at: 2 is not a number above 0 and at most 1"),
        ("warn_at", True, "warn_at: True is not a number"),
        ("now", None, "now: missing"),
        ("now", "soon", "now: 'soon' is not an ISO 8601 time"),
        ("calendar", None, "calendar: missing, or not an object"),
        ("calendar.timezone", "Mars/Olympus", "calendar: "),
        ("pause", ["awaiting_user"], "pause: unknown field"),
    ],
)
def test_errors_name_the_field(path: str, value: object, message: str) -> None:
    with pytest.raises(SimulationError) as raised:
        simulate(changed(path, value))
    assert str(raised.value).startswith(message)


def test_the_input_must_be_an_object() -> None:
    with pytest.raises(SimulationError, match="the input: missing, or not an object"):
        simulate([])  # type: ignore[arg-type]


def test_command_prints_the_json(tmp_path: Path) -> None:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    result = CliRunner().invoke(main, ["sla", "simulate", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED
    assert result.output.startswith('{\n  "response": {\n    "due_at": null,')


def test_command_reads_standard_input() -> None:
    result = CliRunner().invoke(sla_group, ["simulate", "-"], input=json.dumps(SPEC))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED


def test_command_names_the_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(changed("warn_at", 0)), encoding="utf-8")
    result = CliRunner().invoke(sla_group, ["simulate", str(path)])
    assert result.exit_code == 1
    assert result.output == "Error: warn_at: 0 is not a number above 0 and at most 1\n"


def test_command_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "timeline.json"
    path.write_text("{calendar: ", encoding="utf-8")
    result = CliRunner().invoke(sla_group, ["simulate", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: not JSON (")


def test_the_readme_example_gives_what_the_readme_says() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## SLA clock") :]
    start = section.index("```json") + len("```json")
    example = section[start : section.index("```", start)]
    result = simulate(json.loads(example))
    assert result["response"]["met_at"] == "2026-12-07T09:30:00Z"
    assert result["response"]["warned_at"] == "2026-12-07T09:00:00Z"
    assert result["resolution"]["due_at"] == "2026-12-09T14:00:00Z"
