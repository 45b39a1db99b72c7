"""Severity to impact and urgency, by the configured map, with the alert's own labels first."""

from __future__ import annotations

import pytest

from helpdesk.alerts.mapping import Levels, levels_for, severity_map
from helpdesk.config import DEFAULTS
from helpdesk.core.settings import SettingsError

DEFAULT = severity_map(DEFAULTS)


@pytest.mark.parametrize(
    ("severity", "levels"),
    [
        ("critical", Levels("high", "high")),
        ("ERROR", Levels("medium", "high")),
        ("warning", Levels("medium", "medium")),
        ("info", Levels("low", "low")),
        ("page", Levels("medium", "medium")),
        (None, Levels("medium", "medium")),
    ],
)
def test_the_default_map(severity: str | None, levels: Levels) -> None:
    assert levels_for(severity, {}, DEFAULT) == levels


def test_impact_and_urgency_labels_win_when_they_are_levels() -> None:
    labels = {"impact": "Low", "urgency": "soon"}
    assert levels_for("critical", labels, DEFAULT) == Levels("low", "high")


def test_a_configured_map_is_read_in_any_case() -> None:
    mapping = severity_map({"ALERT_SEVERITY_MAP": {"P1": " HIGH / high "}})
    assert levels_for("p1", {}, mapping) == Levels("high", "high")
    assert levels_for("critical", {}, mapping) == Levels("medium", "medium")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("critical=high", "ALERT_SEVERITY_MAP must be a table of severities"),
        ({"critical": "high"}, 'ALERT_SEVERITY_MAP must give each severity as "impact/urgency"'),
        ({"critical": "high/urgent"}, "(got 'high/urgent' for 'critical')"),
        ({"critical": 1}, "(got 1 for 'critical')"),
    ],
)
def test_a_bad_map_is_refused_with_the_key_named(value: object, message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        severity_map({"ALERT_SEVERITY_MAP": value})
    assert message in str(refused.value)
