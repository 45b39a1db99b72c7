"""How urgent an alert is for the desk: the impact and urgency of the incident it opens,
from its severity by the configured map (ALERT_SEVERITY_MAP), and from its own `impact` and
`urgency` labels, which win. Pure: plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.core.settings import SettingsError
from helpdesk.priority import LEVELS

SETTING = "ALERT_SEVERITY_MAP"


@dataclass(frozen=True)
class Levels:
    """An incident's impact and urgency, each high, medium or low."""

    impact: str
    urgency: str


# What a severity the map does not name gets (and an alert without one).
UNMAPPED = Levels("medium", "medium")
SeverityMap = Mapping[str, Levels]


def severity_map(config: Mapping[str, Any]) -> SeverityMap:
    """Read and check ALERT_SEVERITY_MAP: severity names to "impact/urgency", e.g.
    {critical = "high/high"}; a bad value is refused with the key and the value named."""
    raw = config.get("ALERT_SEVERITY_MAP")
    if not isinstance(raw, Mapping):
        raise SettingsError(
            f'{SETTING} must be a table of severities, e.g. {{critical = "high/high"}} '
            f"(got {raw!r})"
        )
    return {
        str(severity).strip().lower(): _levels(severity, value) for severity, value in raw.items()
    }


def _levels(severity: object, value: object) -> Levels:
    """One entry's "impact/urgency"."""
    parts = [part.strip().lower() for part in value.split("/")] if isinstance(value, str) else []
    if len(parts) != 2 or not all(part in LEVELS for part in parts):
        raise SettingsError(
            f'{SETTING} must give each severity as "impact/urgency", each high, medium or low '
            f"(got {value!r} for {severity!r})"
        )
    return Levels(parts[0], parts[1])


def levels_for(severity: str | None, labels: Mapping[str, str], mapping: SeverityMap) -> Levels:
    """The impact and urgency of an alert: its `impact` and `urgency` labels where they are
    a level, else what the map says of its severity."""
    mapped = mapping.get((severity or "").strip().lower(), UNMAPPED)
    return Levels(
        _label_level(labels, "impact") or mapped.impact,
        _label_level(labels, "urgency") or mapped.urgency,
    )


def _label_level(labels: Mapping[str, str], name: str) -> str | None:
    """A label's value when it is a level (any case), else None (unknown values are ignored,
    as the monitoring's own words for other things may share the name)."""
    value = labels.get(name, "").strip().lower()
    return value if value in LEVELS else None
