"""The problem panel of the incident page: its problem, the workaround with a button to send
it, or a form to link or open one."""

from __future__ import annotations

from typing import Any

from helpdesk.models import Incident


def problem_panel(incident: Incident) -> dict[str, Any]:
    """What the panel's template reads, by name."""
    return {}
