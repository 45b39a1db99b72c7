"""The calendar "Office hours" and the default policy "Standard" as migration 0013 seeds
them, for tests whose schema comes from create_all (which seeds nothing)."""

from __future__ import annotations

from typing import Any

from helpdesk.models import SlaPolicy
from helpdesk.sla_policies import store

WORKDAY = ["09:00-17:00"]
OFFICE_HOURS: dict[str, Any] = {
    "timezone": "UTC",
    "hours": {day: WORKDAY for day in ("mon", "tue", "wed", "thu", "fri")},
}
TARGETS = {
    "P1": {"response": "15m", "resolution": "4h", "clock": "24x7"},
    "P2": {"response": "1h", "resolution": "8h", "clock": "24x7"},
    "P3": {"response": "4h", "resolution": "24h", "clock": "business"},
    "P4": {"response": "8h", "resolution": "40h", "clock": "business"},
    "P5": {"response": "8h", "resolution": "80h", "clock": "business"},
}


def fields(**changes: Any) -> store.PolicyFields:
    """Policy fields on "Office hours" with the standard targets, changed as given."""
    return store.PolicyFields(**({"calendar": "Office hours", "targets": TARGETS} | changes))


def seed_standard() -> SlaPolicy:
    """Store "Office hours" and the default policy "Standard"."""
    store.create_calendar(None, "Office hours", OFFICE_HOURS)
    return store.create_policy(None, "Standard", fields(is_default=True))
