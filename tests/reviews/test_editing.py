"""Writing a review: texts, facilitator, status moves and their refusals; action items and
their follow-ups as problems and changes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from helpdesk.core.errors import DomainError, InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.models import AuditEvent
from helpdesk.models.audit import REVIEW
from helpdesk.reviews import action_items, editing, follow_ups
from helpdesk.reviews.action_items import ActionItem
from tests.factories import gen_service, gen_user


def actions_recorded(review) -> list[str]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(REVIEW, review.id)).order_by(AuditEvent.id)
    )
    return [event.action for event in events]


def test_editing_the_texts_and_the_facilitator(app, agent, review):
    other = gen_user("agent")
    editing.edit(review, agent, {"summary": " VPN down ", "went_well": "Paged at once"}, other.id)
    assert (review.summary, review.went_well, review.facilitator) == (
        "VPN down",
        "Paged at once",
        other,
    )
    assert actions_recorded(review)[-1] == "edited"


@pytest.mark.parametrize(
    ("texts", "facilitator", "message"),
    [
        ({"blame": "Bob"}, None, "A review has no field 'blame'."),
        ({"summary": "x" * 100_001}, None, "The summary is too long"),
    ],
)
def test_editing_refusals(app, agent, review, texts, facilitator, message):
    with pytest.raises(InvalidInput, match=message):
        editing.edit(review, agent, texts, facilitator)


def test_a_facilitator_must_be_an_agent(app, agent, review):
    with pytest.raises(InvalidInput, match="The facilitator must be an active agent"):
        editing.edit(review, agent, {}, gen_user("user").id)


def test_end_users_cannot_write_reviews(app, review):
    with pytest.raises(NotAllowed):
        editing.edit(review, gen_user("user"), {"summary": "mine"})


def test_status_moves_and_their_refusals(app, agent, review, clock):
    with pytest.raises(InvalidInput, match="cannot move to completed"):
        editing.move(review, agent, "completed")
    editing.move(review, agent, "in_review")
    with pytest.raises(InvalidInput, match="Write down the root cause"):
        editing.move(review, agent, "completed")
    editing.edit(review, agent, {"root_cause": "An expired certificate nobody was told of."})
    editing.move(review, agent, "completed")
    assert (review.status, review.completed_at) == ("completed", datetime(2026, 11, 30, 9, 0))
    with pytest.raises(InvalidInput, match="completed; its texts stay"):
        editing.edit(review, agent, {"summary": "later"})
    with pytest.raises(InvalidInput, match="cannot move to draft"):
        editing.move(review, agent, "draft")
    assert actions_recorded(review).count("status_changed") == 2


def test_back_to_draft_from_review(app, agent, review):
    editing.move(review, agent, "in_review")
    editing.move(review, agent, "draft")
    assert review.status == "draft"


def test_action_items_are_added_edited_and_closed(app, agent, review, clock):
    action = action_items.add(
        review, agent, ActionItem("Alert on expiry", agent.id, date(2026, 12, 1))
    )
    assert (action.status, action.owner, action.due_on) == ("open", agent, date(2026, 12, 1))
    action.reminded_on = date(2026, 12, 2)
    action_items.edit(
        action, agent, ActionItem("Alert 30 days before expiry", None, date(2026, 12, 9))
    )
    assert (action.title, action.owner, action.reminded_on) == (
        "Alert 30 days before expiry",
        None,
        None,
    )
    action_items.set_status(action, agent, "done")
    assert (action.status, action.done_at) == ("done", datetime(2026, 11, 30, 9, 0))
    action_items.set_status(action, agent, "open")
    assert (action.status, action.done_at) == ("open", None)
    assert actions_recorded(review)[-4:] == [
        "action_added",
        "action_edited",
        "action_status",
        "action_status",
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (ActionItem(""), "The action's title cannot be empty."),
        (ActionItem("x", owner_id=99999), "Unknown owner."),
    ],
)
def test_action_item_refusals(app, agent, review, item, message):
    with pytest.raises(DomainError, match=message):
        action_items.add(review, agent, item)
    assert review.actions == []


def test_an_action_item_has_three_states(app, agent, review):
    action = action_items.add(review, agent, ActionItem("x"))
    with pytest.raises(InvalidInput, match="An action item is open, done or dropped"):
        action_items.set_status(action, agent, "finished")


def test_an_action_item_becomes_a_problem_once(app, agent, review):
    action = action_items.add(review, agent, ActionItem("Find why renewals fail", agent.id))
    problem = follow_ups.to_problem(action, agent)
    assert problem.reference.startswith("PRB-")
    assert (action.problem, problem.title, problem.owner_agent) == (
        problem,
        "Find why renewals fail",
        agent,
    )
    assert review.incident.reference in problem.description
    with pytest.raises(InvalidInput, match="already a problem"):
        follow_ups.to_problem(action, agent)


def test_an_action_item_becomes_a_change_in_a_window(app, agent, review):
    review.incident.service = gen_service("VPN")
    db.session.commit()
    action = action_items.add(review, agent, ActionItem("Automate renewals", agent.id))
    with pytest.raises(InvalidInput, match="planned window"):
        follow_ups.to_change(action, agent, None, None)
    change = follow_ups.to_change(
        action, agent, datetime(2026, 12, 5, 20, 0), datetime(2026, 12, 5, 22, 0)
    )
    assert change.reference.startswith("CHG-")
    assert (action.change, change.implementer, [s.name for s in change.services]) == (
        change,
        agent,
        ["VPN"],
    )
    with pytest.raises(InvalidInput, match="already a change"):
        follow_ups.to_change(action, agent, None, None)
