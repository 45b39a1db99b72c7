"""What the automation says happened, for whoever subscribes (the notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.models import Incident


@dataclass(frozen=True)
class AwaitingUserReminded:
    """The requester was reminded that the incident waits for their answer; without one it
    is resolved at `resolve_at` (None: the automatic resolution is turned off). `question`
    is the desk's last public message, what the requester is to answer (None: none yet)."""

    incident: Incident
    resolve_at: datetime | None
    question: str | None = None
