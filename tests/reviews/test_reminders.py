"""The worker reminds the owner of each open action item past its due date once a day,
by mail (through the outbox) and with a console notice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import AgentNotice, OutboundEmail
from helpdesk.reviews import action_items
from helpdesk.reviews.action_items import ActionItem
from helpdesk.reviews.reminders import remind_overdue
from helpdesk.worker import JOBS, run_pass
from tests.factories import gen_user


def mails() -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == "review_action_overdue")
        )
    )


def notices() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AgentNotice)
            .where(AgentNotice.kind == "review_action_due")
        )
        or 0
    )


def test_an_overdue_action_is_reminded_once_a_day(app, clock, agent, review):
    owner = gen_user("agent", name="Olga Owner")
    action = action_items.add(
        review, agent, ActionItem("Renew alerts", owner.id, date(2026, 11, 29))
    )
    run_pass(JOBS, clock.now)
    clock.advance(hours=3)
    assert run_pass(JOBS, clock.now)["review_actions"] == 0  # same day: nothing more
    sent = mails()
    assert [(mail.recipient, mail.snapshot["context"]["title"]) for mail in sent] == [
        (owner.email, "Renew alerts")
    ]
    assert f"/agent/reviews/{review.id}" in sent[0].snapshot["context"]["link"]
    assert notices() == 1
    assert action.reminded_on == date(2026, 11, 30)
    clock.advance(days=1)
    assert remind_overdue(clock.now) == 1
    assert (len(mails()), notices()) == (2, 2)


def test_not_due_done_or_ownerless_actions_are_not_reminded(app, clock, agent, review):
    action_items.add(review, agent, ActionItem("Due today", agent.id, date(2026, 11, 30)))
    action_items.add(review, agent, ActionItem("Nobody's", None, date(2026, 11, 1)))
    done = action_items.add(review, agent, ActionItem("Done", agent.id, date(2026, 11, 1)))
    action_items.set_status(done, agent, "done")
    assert remind_overdue(clock.now) == 0
    assert mails() == []


def test_the_mail_renders(app, clock, agent, review):
    from helpdesk.notify.compose import render

    action_items.add(review, agent, ActionItem("Renew alerts", agent.id, date(2026, 11, 1)))
    remind_overdue(clock.now)
    text = render(mails()[0]).decode()
    assert "Renew alerts" in text and "2026-11-01" in text and review.incident.reference in text


def test_the_notice_links_the_review(client, auth, clock, agent, review):
    owner = gen_user("agent")
    action_items.add(review, agent, ActionItem("Renew alerts", owner.id, date(2026, 11, 1)))
    remind_overdue(clock.now)
    auth.login(owner.email)
    page = client.get("/agent/notices").get_data(as_text=True)
    assert "Review action overdue" in page
    assert f'href="/agent/reviews/{review.id}">Renew alerts</a>, due 2026-11-01' in page
