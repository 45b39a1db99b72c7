"""Test data for changes: a plan with a sound window, and a change made through the service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helpdesk import changes
from helpdesk.models import Change, Service, User, utcnow


def plan(
    *services: Service,
    start: datetime | None = None,
    hours: float = 2,
    **fields: object,
) -> changes.ChangePlan:
    """A plan for the services, starting at `start` (default: a day from now) for `hours`."""
    begins = start or utcnow() + timedelta(days=1)
    values: dict = {
        "title": "Upgrade the VPN concentrator",
        "planned_start": begins,
        "planned_end": begins + timedelta(hours=hours),
        "service_ids": [service.id for service in services],
    } | fields
    return changes.ChangePlan(**values)


def gen_change(agent: User, *services: Service, **fields: Any) -> Change:
    """Create a planned change through the service layer."""
    return changes.create_change(agent, plan(*services, **fields))
