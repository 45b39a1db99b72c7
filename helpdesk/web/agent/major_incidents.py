"""The major-incident panel of the incident page: its public face, children, subscribers and
updates, or the form to declare it."""

from __future__ import annotations

from typing import Any

from helpdesk.models import Incident


def major_incident_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name."""
    return {}
