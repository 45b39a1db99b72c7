"""The action items of a review in the console: add one, edit it, mark it done, dropped
or open again, and turn it into a problem or a change. Each is a POST that calls one
service function and goes back to the review (a refused add shows the form again)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from helpdesk.models import PostIncidentReview, ReviewAction
from helpdesk.reviews import action_items, follow_ups
from helpdesk.reviews.action_items import ActionItem
from helpdesk.web.agent.blueprint import bp
from helpdesk.web.agent.review_forms import (
    ActionItemForm,
    ActionStatusForm,
    ChangeWindowForm,
    as_utc,
)
from helpdesk.web.agent.reviews import render_review, review_or_404
from helpdesk.web.roles import agent_required
from helpdesk.web.view_helpers import UNPROCESSABLE, applied, me

Outcome = Response | tuple[str, int]
STATUS_WORDS = {"open": "open again", "done": "done", "dropped": "dropped"}


def _action_of(review: PostIncidentReview, action_id: int) -> ReviewAction:
    """The review's action item with this id, or 404."""
    found = next((action for action in review.actions if action.id == action_id), None)
    if found is None:
        abort(404)
    return found


def _item(form: ActionItemForm) -> ActionItem:
    """The action item the form describes."""
    return ActionItem(form.title.data or "", form.owner.data, form.due_on.data)


def _apply(
    review: PostIncidentReview, form: FlaskForm, change: Callable[[], str], keep: bool = False
) -> Outcome:
    """Apply a valid form's change and go back to the review's action items; a refused one
    flashes why (and with `keep`, shows the review again with the form as sent)."""
    if applied(form, change):
        return redirect(url_for("agent.review", review_id=review.id, _anchor="actions"))
    if keep:
        return render_review(review, UNPROCESSABLE, action_form=form)
    return redirect(url_for("agent.review", review_id=review.id, _anchor="actions"))


@bp.post("/reviews/<int:review_id>/actions")
@agent_required
def add_review_action(review_id: int) -> Outcome:
    """Add an action item."""
    review = review_or_404(review_id)
    form = ActionItemForm()

    def change() -> str:
        action_items.add(review, me(), _item(form))
        return "The action item was added."

    return _apply(review, form, change, keep=True)


@bp.post("/reviews/<int:review_id>/actions/<int:action_id>")
@agent_required
def edit_review_action(review_id: int, action_id: int) -> Outcome:
    """Change an action item's title, owner or due date."""
    review = review_or_404(review_id)
    action = _action_of(review, action_id)
    form = ActionItemForm(prefix=f"action{action.id}")

    def change() -> str:
        action_items.edit(action, me(), _item(form))
        return "The action item was saved."

    return _apply(review, form, change)


@bp.post("/reviews/<int:review_id>/actions/<int:action_id>/status")
@agent_required
def review_action_status(review_id: int, action_id: int) -> Outcome:
    """Mark an action item done, dropped or open again."""
    review = review_or_404(review_id)
    action = _action_of(review, action_id)
    form = ActionStatusForm()

    def change() -> str:
        action_items.set_status(action, me(), form.status.data or "")
        return f"The action item is {STATUS_WORDS.get(action.status, action.status)}."

    return _apply(review, form, change)


@bp.post("/reviews/<int:review_id>/actions/<int:action_id>/problem")
@agent_required
def review_action_problem(review_id: int, action_id: int) -> Outcome:
    """Turn an action item into a problem record."""
    review = review_or_404(review_id)
    action = _action_of(review, action_id)

    def change() -> str:
        problem = follow_ups.to_problem(action, me())
        return f"Problem {problem.reference} was opened for the action item."

    return _apply(review, ActionStatusForm(), change)


@bp.post("/reviews/<int:review_id>/actions/<int:action_id>/change")
@agent_required
def review_action_change(review_id: int, action_id: int) -> Outcome:
    """Turn an action item into a change record, in the planned window given."""
    review = review_or_404(review_id)
    action = _action_of(review, action_id)
    form = ChangeWindowForm()

    def change() -> str:
        start, end = as_utc(form.planned_start.data), as_utc(form.planned_end.data)
        planned = follow_ups.to_change(action, me(), start, end)
        return f"Change {planned.reference} was planned for the action item."

    return _apply(review, form, change)
