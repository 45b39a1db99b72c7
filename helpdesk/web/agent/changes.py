"""The change panel of the incident page: the change that caused it, and the changes to its
services in the last 72 hours."""

from __future__ import annotations

from typing import Any

from helpdesk.models import Incident


def change_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name."""
    return {}
