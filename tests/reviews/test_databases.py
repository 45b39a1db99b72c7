"""The reviews' queries on both databases: the list with its overdue counts, and the
worker's overdue pass (row locks on PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

from helpdesk import incidents
from helpdesk.reads import reviews
from helpdesk.reads.review_timeline import timeline
from helpdesk.reviews import action_items
from helpdesk.reviews.action_items import ActionItem
from helpdesk.reviews.reminders import remind_overdue
from tests.conftest import reconfigure
from tests.factories import gen_user
from tests.reviews.conftest import p1

NOW = datetime(2026, 11, 30, 9, 0)


def test_list_counts_and_reminders(db_app):
    reconfigure(db_app, REVIEWS_FOR_PRIORITIES=[1])
    agent = gen_user("agent")
    incident = p1()
    incidents.resolve(incident, agent, "fixed", "Done.")
    review = reviews.review_of(incident.id)
    assert review is not None
    for day in (1, 2):
        action_items.add(review, agent, ActionItem(f"Item {day}", agent.id, date(2026, 11, day)))
    action_items.add(review, agent, ActionItem("Later", agent.id, date(2026, 12, 30)))
    listed = reviews.listing("draft", NOW.date())
    assert [(row.review.id, row.overdue) for row in listed] == [(review.id, 2)]
    assert reviews.overdue_total(NOW.date()) == 2
    assert remind_overdue(NOW) == 2
    assert remind_overdue(NOW) == 0
    assert [entry.text for entry in timeline(incident)][-1] == "Resolved"
