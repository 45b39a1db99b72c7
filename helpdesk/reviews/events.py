"""What the reviews service says happened, for whoever subscribes (the notifications)."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import ReviewAction


@dataclass(frozen=True)
class ActionOverdue:
    """An open action item is past its due date; its owner is reminded (once a day)."""

    action: ReviewAction
