"""The worker's reminders of overdue action items: each open item past its due date
reminds its owner once a day (by mail and a console notice, which the notifications write
on ActionOverdue).

`reminded_on` holds the day of the last reminder, so a pass run again the same day finds
nothing more to do, and the next day reminds again. Items without an owner or a due date
are never overdue for anyone. The day is the UTC date of the pass.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_

from helpdesk.core import audit, events
from helpdesk.core.batches import in_batches
from helpdesk.models import ReviewAction
from helpdesk.models.audit import REVIEW
from helpdesk.reads.reviews import overdue_actions
from helpdesk.reviews.events import ActionOverdue

# Claim order: the longest overdue first.
LONGEST_OVERDUE_FIRST = (ReviewAction.due_on, ReviewAction.id)


def remind_overdue(now: datetime) -> int:
    """Remind the owner of every overdue open action item not yet reminded today, a batch
    at a time; return how many were reminded."""
    today = now.date()
    return in_batches(_due(today), LONGEST_OVERDUE_FIRST, lambda action: _remind(action, today))


def _due(today: date) -> Any:
    """Overdue open items with an owner, not reminded today."""
    return overdue_actions(today).where(
        ReviewAction.owner_id.is_not(None),
        or_(ReviewAction.reminded_on.is_(None), ReviewAction.reminded_on < today),
    )


def _remind(action: ReviewAction, today: date) -> None:
    """Record the reminder and publish it."""
    action.reminded_on = today
    audit.record(
        REVIEW,
        action.review_id,
        None,
        "action_reminded",
        action_id=action.id,
        owner=action.owner.name if action.owner else None,
    )
    events.publish(ActionOverdue(action))
