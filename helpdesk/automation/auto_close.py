"""Resolved incidents the requester never confirmed nor turned down are closed after a few
days (the worker's job), which sends them the usual closing mail with its rating link.

The time is counted from the resolution (`status_changed_at` of a resolved incident), in
calendar days on the wall clock. A requester's reply or "still broken" reopens the
incident, so it is no longer resolved and is not closed; a later resolution starts the
count again. Batches and row locks as for the reminders (helpdesk.core.batches): a
pass run twice closes nothing more, and two workers never close one incident twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk import lifecycle
from helpdesk.core.batches import in_batches
from helpdesk.core.settings import settings
from helpdesk.incidents.workflow import close_unattended
from helpdesk.models import Incident

# Claim order: whoever has waited longest goes first.
LONGEST_HELD_FIRST = (Incident.status_changed_at, Incident.id)


def close_resolved(now: datetime) -> int:
    """Close every incident resolved long enough ago, a batch at a time; return how many
    (0 when the automatic closing is turned off)."""
    after = settings().automation.close_resolved_after
    if after is None:
        return 0
    due = select(Incident).where(
        Incident.status == lifecycle.RESOLVED, Incident.status_changed_at <= now - after
    )
    return in_batches(due, LONGEST_HELD_FIRST, _close)


def _close(incident: Incident) -> None:
    """Close it as the helpdesk, recorded as closed automatically."""
    close_unattended(incident, "auto_closed")
