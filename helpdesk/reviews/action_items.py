"""A review's action items: added with an owner (an agent) and a due date, edited, and
marked done or dropped (or open again). Follow-ups into problems and changes are in
follow_ups.py; reminders of overdue ones in reminders.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.models import PostIncidentReview, ReviewAction, User, utcnow
from helpdesk.models.review import ACTION_STATUSES
from helpdesk.reviews.editing import agent_named, record_change

TITLE_MAX = 255
OPEN, DONE, DROPPED = ACTION_STATUSES


@dataclass(frozen=True)
class ActionItem:
    """What an action item says: the task, its owner (an agent's id) and when it is due."""

    title: str
    owner_id: int | None = None
    due_on: date | None = None


@unit_of_work
def add(review: PostIncidentReview, actor: User, item: ActionItem) -> ReviewAction:
    """Add an open action item to the review."""
    check.require_agent(actor)
    action = ReviewAction(status=OPEN, created_at=utcnow())
    _fill(action, item)  # before joining the review: its checks may flush the session
    review.actions.append(action)
    record_change(review, actor, "action_added", title=action.title)
    commit()
    return action


@unit_of_work
def edit(action: ReviewAction, actor: User, item: ActionItem) -> None:
    """Replace the action item's title, owner and due date (a new due date may be reminded
    of again)."""
    check.require_agent(actor)
    if item.due_on != action.due_on:
        action.reminded_on = None
    _fill(action, item)
    record_change(action.review, actor, "action_edited", action_id=action.id, title=action.title)
    commit()


@unit_of_work
def set_status(action: ReviewAction, actor: User, status: str) -> None:
    """Mark the action item done, dropped, or open again."""
    check.require_agent(actor)
    if status not in ACTION_STATUSES:
        raise InvalidInput("An action item is open, done or dropped.")
    if status == action.status:
        return
    previous = action.status
    action.status = status
    action.done_at = utcnow() if status == DONE else None
    record_change(
        action.review,
        actor,
        "action_status",
        action_id=action.id,
        **{"from": previous, "to": status},
    )
    commit()


def _fill(action: ReviewAction, item: ActionItem) -> None:
    """Check and copy the item's fields onto the action."""
    action.title = check.required_text(item.title, "The action's title", TITLE_MAX)
    action.owner = agent_named(item.owner_id, "owner") if item.owner_id is not None else None
    action.due_on = item.due_on
