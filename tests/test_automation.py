"""The worker's automation: an incident awaiting its requester is reminded after N days and
resolved M days after the reminder with a notice, unless the requester answers; a resolved
incident is closed after K days with the rating link; 0 turns a step off; each pass is
idempotent, and two worker processes on PostgreSQL remind each incident once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import select

from helpdesk import incidents, worker
from helpdesk.automation import awaiting_user
from helpdesk.config import DEFAULTS
from helpdesk.core.settings import AutomationSettings, SettingsError
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, OutboundEmail, User, utcnow
from helpdesk.models.base import frozen_time
from helpdesk.sla.cli import sla_group
from helpdesk.web.agent.audit_trail import trail_of
from tests.conftest import ManualClock, reconfigure
from tests.factories import gen_incident, gen_team, gen_user
from tests.worker_passes import TICKS, tick


@dataclass
class Desk:
    requester: User
    agent: User
    incident: Incident


@pytest.fixture
def desk(app: Flask, clock: ManualClock) -> Desk:
    """An incident opened Monday 30 November 09:00 and assigned to an agent."""
    requester = gen_user(name="Rita Requester")
    agent = gen_user("agent", name="Ann Agent")
    team = gen_team("Service Desk", [agent], service_desk=True)
    incident = gen_incident(requester)
    incidents.assign(incident, agent, team.id, agent.id)
    return Desk(requester, agent, incident)


def ask(desk: Desk) -> None:
    """The agent asks the requester something and waits for the answer."""
    incidents.add_reply(desk.incident, desk.agent, "Which printer is it?")
    incidents.change_status(desk.incident, desk.agent, "on_hold", "awaiting_user")


def mails(person: User, kind: str | None = None) -> list[EmailMessage]:
    """What was queued for one person (of one kind), parsed, oldest first."""
    query = select(OutboundEmail.raw).where(OutboundEmail.recipient == person.email)
    if kind:
        query = query.where(OutboundEmail.kind == kind)
    raws = db.session.scalars(query.order_by(OutboundEmail.id)).all()
    return [message_from_bytes(raw, policy=policy.default) for raw in raws]


def text(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def actions(incident: Incident, *wanted: str) -> list[str]:
    """The incident's recorded actions among `wanted`, in order."""
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == incident.id, AuditEvent.action.in_(wanted))
            .order_by(AuditEvent.id)
        )
    )


AUTOMATION_JOBS = ("reminders", "auto_resolve", "auto_close")


def run_pass() -> dict[str, int]:
    """One pass of the worker's jobs, as `helpdesk sla tick` runs it, at the current time."""
    return worker.run_pass(worker.JOBS, utcnow())


def automation_pass() -> dict[str, int]:
    """What a pass did of the automation's own jobs (the others are tested elsewhere)."""
    done = run_pass()
    return {name: done[name] for name in AUTOMATION_JOBS}


def test_the_requester_is_reminded_after_n_days_once(desk: Desk, clock: ManualClock) -> None:
    ask(desk)
    clock.advance(days=2, hours=23)
    assert awaiting_user.remind(utcnow()) == 0
    clock.advance(hours=1)  # Thursday 3 December 09:00: three days on hold
    assert run_pass()["reminders"] == 1
    assert run_pass()["reminders"] == 0
    assert awaiting_user.remind(utcnow()) == 0
    [reminder] = mails(desk.requester, "awaiting_reminder")
    body = text(reminder)
    assert "We are still waiting for your answer" in body
    assert "reply to this email, or answer on the portal" in body
    assert "Our last message to you:\n\nWhich printer is it?\n" in body
    assert "Which printer is it?" in reminder.get_body(("html",)).get_content()
    assert (
        f"answer on the portal: http://helpdesk.test/my/incidents/{desk.incident.reference}" in body
    )
    assert "Otherwise we will resolve it on Monday 7 December 2026" in body
    assert reminder["Subject"].startswith(f"[{desk.incident.reference}]")
    assert mails(desk.agent, "awaiting_reminder") == []
    assert actions(desk.incident, "reminded") == ["reminded"]
    assert desk.incident.status == "on_hold"


def test_the_reminder_date_is_in_the_requesters_own_zone(desk: Desk, clock: ManualClock) -> None:
    desk.requester.timezone = "Pacific/Auckland"  # 13 hours ahead in December
    db.session.commit()
    clock.set(datetime(2026, 11, 30, 12, 0))
    ask(desk)
    clock.advance(days=3)  # reminded Thu 3 Dec 12:00 UTC; resolved Mon 7 Dec 12:00 UTC
    run_pass()
    [reminder] = mails(desk.requester, "awaiting_reminder")
    assert "resolve it on Tuesday 8 December 2026" in text(reminder)


def test_without_an_answer_it_is_resolved_m_days_after_the_reminder_with_a_notice(
    app: Flask, desk: Desk, clock: ManualClock
) -> None:
    ask(desk)
    clock.advance(days=3)
    run_pass()
    clock.advance(days=3, hours=23)
    assert run_pass()["auto_resolve"] == 0
    clock.advance(hours=1)
    assert run_pass()["auto_resolve"] == 1
    assert run_pass()["auto_resolve"] == 0
    incident = db.session.get(Incident, desk.incident.id)
    assert incident.status == "resolved"
    assert incident.resolution_code == "no_fault_found"
    assert incident.resolved_at == utcnow()
    [resolved] = mails(desk.requester, "resolved")
    body = text(resolved)
    assert "We resolved this incident automatically" in body
    assert "we asked for your answer on 30 November 2026 and reminded you on 3 December" in body
    assert "Yes, it is fixed:" in body and "No, it is still broken:" in body
    reference = incident.reference
    assert f"http://helpdesk.test/m/{reference}/confirm/" in body
    assert f"http://helpdesk.test/m/{reference}/reject/" in body
    assert actions(incident, "reminded", "auto_resolved") == ["reminded", "auto_resolved"]
    with app.test_request_context():
        sentences = [str(sentence) for _, sentence in trail_of(incident)]
    assert "The requester was reminded that it waits for their answer" in sentences
    assert "It was resolved automatically: the requester did not answer" in sentences


def test_a_reply_from_the_requester_stops_the_reminder_and_the_resolution(
    desk: Desk, clock: ManualClock
) -> None:
    ask(desk)
    clock.advance(days=3)
    run_pass()
    clock.advance(days=2)
    incidents.add_reply(desk.incident, desk.requester, "The one on floor 2.", channel="email")
    assert desk.incident.status != "on_hold"
    clock.advance(days=30)
    assert automation_pass() == {
        "reminders": 0,
        "auto_resolve": 0,
        "auto_close": 0,
    }
    assert desk.incident.status == "in_progress"
    assert len(mails(desk.requester, "awaiting_reminder")) == 1


def test_a_new_hold_gets_a_reminder_of_its_own(desk: Desk, clock: ManualClock) -> None:
    ask(desk)
    clock.advance(days=3)
    run_pass()
    clock.advance(days=1)
    incidents.add_reply(desk.incident, desk.requester, "Floor 2.")
    clock.advance(hours=1)
    ask(desk)
    clock.advance(days=3)  # the first reminder was over four days ago, in the first hold
    assert automation_pass() == {
        "reminders": 1,
        "auto_resolve": 0,
        "auto_close": 0,
    }
    assert len(mails(desk.requester, "awaiting_reminder")) == 2


def test_other_holds_are_neither_reminded_nor_resolved(desk: Desk, clock: ManualClock) -> None:
    incidents.change_status(desk.incident, desk.agent, "on_hold", "awaiting_vendor")
    clock.advance(days=60)
    assert run_pass()["reminders"] == run_pass()["auto_resolve"] == 0


def test_a_resolved_incident_is_closed_after_k_days_with_the_rating_link(
    app: Flask, desk: Desk, clock: ManualClock
) -> None:
    incidents.resolve(desk.incident, desk.agent, "fixed", "Replaced the toner.")
    clock.advance(days=4, hours=23)
    assert run_pass()["auto_close"] == 0
    clock.advance(hours=1)
    assert run_pass()["auto_close"] == 1
    assert run_pass()["auto_close"] == 0
    incident = db.session.get(Incident, desk.incident.id)
    assert incident.status == "closed" and incident.closed_at == utcnow()
    [closed] = mails(desk.requester, "closed")
    body = text(closed)
    assert "is now closed" in body
    assert "Rate us from 1 to 5 here:" in body
    assert f"http://helpdesk.test/m/{incident.reference}/rate/" in body
    assert actions(incident, "auto_closed") == ["auto_closed"]
    with app.test_request_context():
        sentences = [str(sentence) for _, sentence in trail_of(incident)]
    assert "It was closed automatically: nobody replied to the resolution" in sentences


def test_a_reopened_incident_is_not_closed(desk: Desk, clock: ManualClock) -> None:
    incidents.resolve(desk.incident, desk.agent, "fixed", "Replaced the toner.")
    clock.advance(days=2)
    incidents.reject_resolution(desk.incident, desk.requester, "Still streaky.")
    clock.advance(days=10)
    assert run_pass()["auto_close"] == 0
    assert desk.incident.status == "in_progress"


def test_auto_resolved_then_auto_closed(desk: Desk, clock: ManualClock) -> None:
    ask(desk)
    clock.advance(days=3)
    run_pass()
    clock.advance(days=4)
    run_pass()
    clock.advance(days=5)
    assert run_pass()["auto_close"] == 1
    assert actions(desk.incident, "reminded", "auto_resolved", "auto_closed") == [
        "reminded",
        "auto_resolved",
        "auto_closed",
    ]


def test_zero_turns_each_step_off(app: Flask, desk: Desk, clock: ManualClock) -> None:
    reconfigure(
        app,
        REMIND_AWAITING_USER_AFTER_DAYS=0,
        RESOLVE_AWAITING_USER_AFTER_DAYS=0,
        CLOSE_RESOLVED_AFTER_DAYS=0,
    )
    ask(desk)
    clock.advance(days=90)
    other = gen_incident(desk.requester)
    incidents.resolve(other, desk.agent, "fixed", "Done.")
    clock.advance(days=90)
    assert automation_pass() == {
        "reminders": 0,
        "auto_resolve": 0,
        "auto_close": 0,
    }
    assert (desk.incident.status, other.status) == ("on_hold", "resolved")


def test_reminding_without_resolving_says_no_date(
    app: Flask, desk: Desk, clock: ManualClock
) -> None:
    reconfigure(app, RESOLVE_AWAITING_USER_AFTER_DAYS=0)
    ask(desk)
    clock.advance(days=3)
    assert run_pass()["reminders"] == 1
    clock.advance(days=60)
    assert run_pass()["auto_resolve"] == 0
    [reminder] = mails(desk.requester, "awaiting_reminder")
    assert "resolve it on" not in text(reminder)


def test_the_days_are_configurable(app: Flask, desk: Desk, clock: ManualClock) -> None:
    reconfigure(app, REMIND_AWAITING_USER_AFTER_DAYS=1, RESOLVE_AWAITING_USER_AFTER_DAYS=1)
    ask(desk)
    clock.advance(days=1)
    assert run_pass()["reminders"] == 1
    clock.advance(days=1)
    assert run_pass()["auto_resolve"] == 1


AUTOMATION_DAYS = (
    "REMIND_AWAITING_USER_AFTER_DAYS",
    "RESOLVE_AWAITING_USER_AFTER_DAYS",
    "CLOSE_RESOLVED_AFTER_DAYS",
)


def test_the_automation_settings_default_and_refuse_bad_values() -> None:
    defaults = AutomationSettings.from_config(DEFAULTS)
    assert defaults.remind_awaiting_user_after == timedelta(days=3)
    assert defaults.resolve_awaiting_user_after == timedelta(days=4)
    assert defaults.close_resolved_after == timedelta(days=5)
    assert (
        AutomationSettings.from_config(
            DEFAULTS | {"CLOSE_RESOLVED_AFTER_DAYS": "0"}
        ).close_resolved_after
        is None
    )
    for key in AUTOMATION_DAYS:
        with pytest.raises(SettingsError, match=f"^{key} must be at least 0 \\(got -1\\)"):
            AutomationSettings.from_config(DEFAULTS | {key: -1})
        with pytest.raises(SettingsError, match=f"^{key} must be a whole number \\(got 'soon'\\)"):
            AutomationSettings.from_config(DEFAULTS | {key: "soon"})


def test_sla_tick_runs_the_automation(app: Flask, desk: Desk, clock: ManualClock) -> None:
    ask(desk)
    clock.advance(days=3)
    result = app.test_cli_runner().invoke(sla_group, ["tick"])
    assert result.exit_code == 0, result.output
    assert "reminders=1" in result.output
    assert "auto_resolve=0" in result.output and "auto_close=0" in result.output


# Two worker processes at once on PostgreSQL.

WAITING = 120  # more than two batches (awaiting_user uses batches of 50)


def put_on_hold_days_ago(count: int, days: int) -> None:
    """Open `count` incidents and put them on hold awaiting the user `days` days ago (one
    requester each: automatic notices to one person are capped per hour)."""
    then = utcnow() - timedelta(days=days)
    with frozen_time(lambda: then):
        agent = gen_user("agent")
        for _ in range(count):
            incident = gen_incident(gen_user())
            incidents.change_status(incident, agent, "on_hold", "awaiting_user")


@pytest.mark.postgres
def test_two_ticks_at_once_remind_each_incident_once(pg_app: Flask) -> None:
    put_on_hold_days_ago(WAITING, 3)
    reminded = [done["reminders"] for done in tick(pg_app, TICKS)]
    assert sum(reminded) == WAITING  # shared, none reminded twice
    db.session.expire_all()
    recorded = Counter(
        db.session.scalars(select(AuditEvent.subject_id).where(AuditEvent.action == "reminded"))
    )
    assert len(recorded) == WAITING and set(recorded.values()) == {1}
    sent = Counter(
        db.session.scalars(
            select(OutboundEmail.incident_id).where(OutboundEmail.kind == "awaiting_reminder")
        )
    )
    assert len(sent) == WAITING and set(sent.values()) == {1}
    assert tick(pg_app)[0]["reminders"] == 0
