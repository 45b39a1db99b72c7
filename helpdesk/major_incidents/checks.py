"""The rules every major-incident change shares: who may make it, and whether the major
incident still takes changes."""

from __future__ import annotations

from helpdesk.core.errors import InvalidInput
from helpdesk.core.validation import require_agent
from helpdesk.models import MajorIncident, User

PUBLIC_TEXT_MAX = 20_000  # a summary or an update: what a status page and a mail can carry


def reference(major: MajorIncident) -> str:
    """The major incident's name in sentences and mail: its incident's reference."""
    return major.incident.reference or ""


def ensure_current(major: MajorIncident) -> None:
    """Refuse a change to a major incident that was resolved: its updates have ended."""
    if not major.is_current:
        raise InvalidInput(f"{reference(major)} was resolved; its major incident has ended.")


def ensure_agent_on_current(actor: User, major: MajorIncident) -> None:
    """Agents' work on a major incident that is still going on."""
    require_agent(actor)
    ensure_current(major)
