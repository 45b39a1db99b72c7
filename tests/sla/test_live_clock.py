"""Live incidents' SLA clocks: what the incident service stores on each change, and the
scheduler's pass, with the time set by hand (the `clock` fixture).

The default policy is "Standard" on "Office hours" (UTC, Monday to Friday 09:00-17:00): a P4
answers in 8 business hours and resolves in 40, a P1 in 15 minutes and 4 hours around the
clock. The clock starts on Monday 2026-11-30 09:00 UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.core import events
from helpdesk.extensions import db
from helpdesk.incidents import Classification
from helpdesk.incidents.events import SlaBreached, SlaWarned
from helpdesk.models import AuditEvent, Incident, SlaPolicy, User
from helpdesk.models.audit import INCIDENT
from helpdesk.sla.simulate import simulate
from helpdesk.sla_policies import clocks, store
from mail_gateway.ingest import ingest
from tests.factories import gen_incident, gen_service, gen_user
from tests.sla_policy import fields, seed_standard
from tests.test_ingest import eml

MONDAY = datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def standard(clock, app) -> SlaPolicy:
    return seed_standard()


@pytest.fixture
def people(standard) -> tuple[User, User]:
    return gen_user(email="ada@example.org"), gen_user("agent")


def p4(requester: User, **fields: object) -> Incident:
    """A P4 (low impact, medium urgency) opened now."""
    incident = gen_incident(requester, impact="low", urgency="medium", **fields)
    assert incident.priority == 4
    return incident


def around_the_clock(response: str, resolution: str) -> dict[str, dict[str, str]]:
    """The same 24x7 targets for every priority."""
    target = {"response": response, "resolution": resolution, "clock": "24x7"}
    return {f"P{priority}": target for priority in range(1, 6)}


def actions(incident: Incident) -> list[tuple[str, dict]]:
    """The SLA warnings and breaches recorded about the incident."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.about(INCIDENT, incident.id), AuditEvent.action.like("sla_%"))
        .order_by(AuditEvent.id)
    )
    return [(row.action, row.details["target"]) for row in rows]


def test_opening_sets_the_due_times_of_the_default_policy(people, standard) -> None:
    incident = p4(people[0])
    assert incident.sla_policy_id == standard.id
    assert incident.response_due_at == datetime(2026, 11, 30, 17, 0)
    assert incident.resolution_due_at == datetime(2026, 12, 4, 17, 0)
    assert incident.sla_check_at == datetime(2026, 11, 30, 15, 0)  # response warned at 6h of 8h


def test_a_service_specific_policy_beats_the_default(people) -> None:
    printers = gen_service("Printers")
    targets = around_the_clock("1h", "2h")
    policy = store.create_policy(None, "Printers", fields(targets=targets, service_id=printers.id))
    incident = p4(people[0], service_id=printers.id)
    assert incident.sla_policy_id == policy.id
    assert incident.response_due_at == datetime(2026, 11, 30, 10, 0)
    assert incident.resolution_due_at == datetime(2026, 11, 30, 11, 0)


def test_a_service_change_chooses_the_policy_again(people, clock) -> None:
    printers = gen_service("Printers")
    targets = around_the_clock("1h", "2h")
    store.create_policy(None, "Printers", fields(targets=targets, service_id=printers.id))
    requester, agent = people
    incident = p4(requester)
    clock.advance(minutes=30)
    incidents.classify(incident, agent, Classification("low", "medium", service_id=printers.id))
    assert incident.response_due_at == datetime(2026, 11, 30, 10, 0)


def test_a_policy_chosen_by_reclassifying_keeps_the_time_counted_before(people, clock) -> None:
    printers = gen_service("Printers")
    targets = around_the_clock("4h", "48h")
    policy = store.create_policy(None, "Printers", fields(targets=targets, service_id=printers.id))
    requester, agent = people
    clock.set(datetime(2026, 11, 30, 16, 0))
    incident = p4(requester)
    clock.set(datetime(2026, 12, 1, 9, 0))  # one business hour counted on the standard policy
    incidents.classify(incident, agent, Classification("low", "medium", service_id=printers.id))
    assert incident.sla_policy_id == policy.id
    # 1h of 4h counted, 3h left around the clock; counting the night too would breach it.
    assert incident.response_due_at == datetime(2026, 12, 1, 12, 0)
    assert incident.response_breached_at is None
    assert incident.resolution_due_at == datetime(2026, 12, 3, 8, 0)  # 47h left
    changes = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.about(INCIDENT, incident.id), AuditEvent.action == "sla_policy"
        )
    ).all()
    assert [(row.created_at, row.details["name"]) for row in changes] == [(clock.now, "Printers")]


def test_an_agent_reply_meets_the_response_and_a_note_does_not(people, clock) -> None:
    requester, agent = people
    incident = p4(requester)
    clock.advance(hours=1)
    incidents.add_note(incident, agent, "Looking into it")
    assert incident.first_response_at is None
    assert incident.response_due_at == datetime(2026, 11, 30, 17, 0)
    clock.advance(hours=1)
    incidents.add_reply(incident, agent, "Please restart it.", channel="agent")
    assert incident.first_response_at == datetime(2026, 11, 30, 11, 0)
    assert incident.response_due_at is None  # met: the response clock stands
    assert incident.sla_check_at == datetime(2026, 12, 3, 15, 0)  # resolution warned at 30h


def test_an_incident_logged_by_phone_was_answered_then(people) -> None:
    requester, agent = people
    report = incidents.IncidentReport("Printer", "It jams", channel="phone")
    incident = incidents.open_for_requester(agent, requester, report)
    assert incident.response_due_at is None
    assert incident.response_breached_at is None


def awaiting_user_over_the_weekend(people, clock) -> Incident:
    """A P4 opened on Friday 2026-12-04 at 16:00, put on hold awaiting the user at 16:30
    (half an hour counted), the requester answering on Monday at 10:00."""
    requester, agent = people
    clock.set(datetime(2026, 12, 4, 16, 0))
    incident = p4(requester)
    clock.advance(minutes=30)
    incidents.change_status(incident, agent, "on_hold", hold_reason="awaiting_user")
    assert incident.sla_paused_at == datetime(2026, 12, 4, 16, 30)
    assert incident.response_due_at is incident.resolution_due_at is None
    assert incident.sla_check_at is None
    clock.set(datetime(2026, 12, 7, 10, 0))
    return incident


def resumed_on_monday(incident: Incident) -> None:
    """Half an hour counted on Friday, so 7.5 of the 8 response hours remain from Monday
    10:00, and 39.5 of the 40 resolution hours."""
    assert incident.status == "in_progress"
    assert incident.sla_paused_at is None
    assert incident.response_due_at == datetime(2026, 12, 8, 9, 30)
    assert incident.resolution_due_at == datetime(2026, 12, 14, 9, 30)


def test_hold_over_the_weekend_then_the_requester_replies_by_email(people, clock) -> None:
    incident = awaiting_user_over_the_weekend(people, clock)
    result = ingest(eml(subject=f"Re: [{incident.reference}] Printer", body="Here it is"), "t")
    assert result.outcome == "reply"
    db.session.refresh(incident)
    resumed_on_monday(incident)


def test_hold_over_the_weekend_then_the_requester_replies_on_the_portal(people, clock) -> None:
    incident = awaiting_user_over_the_weekend(people, clock)
    incidents.add_reply(incident, people[0], "Here it is", channel="portal")
    resumed_on_monday(incident)


def test_a_priority_raised_while_paused_keeps_the_counted_time(people, clock) -> None:
    requester, agent = people
    incident = p4(requester)
    clock.advance(hours=1)
    incidents.change_status(incident, agent, "on_hold", hold_reason="awaiting_user")
    clock.advance(hours=2)
    incidents.classify(
        incident,
        agent,
        Classification("medium", "medium", override_priority=3, override_reason="VIP"),
    )
    assert incident.priority == 3
    assert incident.response_due_at is None  # still paused
    clock.advance(hours=1)
    incidents.change_status(incident, agent, "in_progress")
    # P3: 4 response hours, 1 counted before the hold, 3 left from 13:00.
    assert incident.response_due_at == datetime(2026, 11, 30, 16, 0)


def test_a_raised_priority_already_over_target_breaches_at_the_change(people, clock) -> None:
    requester, agent = people
    incident = p4(requester)
    clock.advance(hours=5)
    incidents.classify(
        incident,
        agent,
        Classification("medium", "medium", override_priority=3, override_reason="VIP"),
    )
    change = clock.now
    assert incident.response_breached_at == change
    assert incident.response_warned_at == change
    assert actions(incident) == [("sla_warned", "response"), ("sla_breached", "response")]


def test_a_reopen_continues_the_resolution_clock(people, clock) -> None:
    requester, agent = people
    incident = p4(requester)
    clock.advance(hours=2)
    incidents.resolve(incident, agent, "fixed", "Cleaned the rollers")
    assert incident.resolution_due_at is None
    assert incident.sla_check_at is None
    clock.set(datetime(2026, 12, 1, 9, 0))
    incidents.reject_resolution(incident, requester, "Still jams")
    # 2 of the 40 hours counted on Monday; 38 more from Tuesday 09:00.
    assert incident.resolution_due_at == datetime(2026, 12, 7, 15, 0)


@pytest.mark.parametrize("ending", ["cancel", "merge"])
def test_a_cancelled_or_merged_incident_stops_its_clock_at_once(people, clock, ending) -> None:
    requester, agent = people
    incident = p4(requester)
    clock.advance(hours=1)
    if ending == "cancel":
        incidents.cancel(incident, agent, "Raised in error")
    else:
        incidents.merge(incident, agent, p4(requester))
    assert (incident.response_due_at, incident.resolution_due_at) == (None, None)
    assert incident.sla_check_at is None
    clock.set(datetime(2026, 12, 31, 9, 0))
    clocks.check_due(clock.now)
    assert actions(incident) == []


def test_check_due_warns_and_breaches_exactly_once(people, clock) -> None:
    requester, _ = people
    incident = p4(requester)
    published: list[object] = []
    events.subscribe(SlaWarned, published.append)
    events.subscribe(SlaBreached, published.append)
    clock.set(datetime(2026, 11, 30, 14, 59))
    assert clocks.check_due(clock.now) == 0
    clock.set(datetime(2026, 11, 30, 15, 0))
    assert clocks.check_due(clock.now) == 1
    assert incident.response_warned_at == datetime(2026, 11, 30, 15, 0)
    assert incident.sla_check_at == datetime(2026, 11, 30, 17, 0)
    assert clocks.check_due(clock.now) == 0
    clock.set(datetime(2026, 12, 1, 8, 0))
    assert clocks.check_due(clock.now) == 1
    assert clocks.check_due(clock.now) == 0
    assert incident.response_breached_at == datetime(2026, 11, 30, 17, 0)
    assert actions(incident) == [("sla_warned", "response"), ("sla_breached", "response")]
    assert [(type(e).__name__, e.target, e.at) for e in published] == [
        ("SlaWarned", "response", datetime(2026, 11, 30, 15, 0)),
        ("SlaBreached", "response", datetime(2026, 11, 30, 17, 0)),
    ]


ACTIONS = ("reply", "note", "requester", "hold", "resume", "priority", "resolve", "reopen")
OPEN = ("new", "assigned", "in_progress", "on_hold")


def act(incident: Incident, requester: User, agent: User, action: str, value: int) -> list[dict]:
    """Do one action through the service if the incident's status allows it, and return
    the events `helpdesk sla simulate` is given for it, by the issue's rules."""
    status = incident.status
    if action == "reply" and status in OPEN:
        incidents.add_reply(incident, agent, "On it", channel="agent")
        return [{"type": "agent_public_reply"}]
    if action == "note" and status in (*OPEN, "resolved"):
        incidents.add_note(incident, agent, "Checked the logs")
        return [{"type": "agent_note"}]
    if action == "requester" and status in (*OPEN, "resolved"):
        incidents.add_reply(incident, requester, "Any news?", channel="portal")
        reopen = [{"type": "reopened"}] if status == "resolved" else []
        return [*reopen, {"type": "requester_reply"}]
    if action == "hold" and status in ("new", "assigned", "in_progress"):
        reason = "awaiting_user" if value % 2 else "awaiting_vendor"
        incidents.change_status(incident, agent, "on_hold", hold_reason=reason)
        return [{"type": "hold", "reason": reason}]
    if action == "resume" and status == "on_hold":
        incidents.change_status(incident, agent, "in_progress")
        return [{"type": "resume"}]
    if action == "priority" and status in OPEN and value != incident.priority:
        change = Classification("low", "medium", override_priority=value, override_reason="Why")
        incidents.classify(incident, agent, change)
        return [{"type": "priority", "priority": value}]
    if action == "resolve" and status in OPEN:
        incidents.resolve(incident, agent, "fixed", "Done")
        resume = [{"type": "resume"}] if status == "on_hold" else []
        return [*resume, {"type": "resolved"}]
    if action == "reopen" and status == "resolved":
        incidents.reject_resolution(incident, requester, "Still broken")
        return [{"type": "reopened"}]
    return []


def stored(incident: Incident) -> dict[str, dict[str, str | None]]:
    """The incident's stored clock in simulate's output form."""

    def utc(at: datetime | None) -> str | None:
        return None if at is None else f"{at.isoformat()}Z"

    return {
        target: {
            "due_at": utc(getattr(incident, f"{target}_due_at")),
            "met_at": utc(
                incident.first_response_at if target == "response" else incident.resolved_at
            ),
            "breached_at": utc(getattr(incident, f"{target}_breached_at")),
            "warned_at": utc(getattr(incident, f"{target}_warned_at")),
        }
        for target in ("response", "resolution")
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.integers(0, 7 * 24 * 60),
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(1, 5), st.integers(0, 3 * 24 * 60)),
        max_size=10,
    ),
    wait=st.integers(0, 5 * 24 * 60),
)
def test_the_stored_clock_is_what_simulate_says(people, standard, clock, start, steps, wait):
    requester, agent = people
    clock.set(MONDAY + timedelta(minutes=start))
    incident = p4(requester)
    timeline = [{"at": clock.now, "type": "opened", "priority": 4}]
    for action, value, gap in steps:
        clock.advance(minutes=gap)
        timeline += [
            {"at": clock.now} | event for event in act(incident, requester, agent, action, value)
        ]
    now = clock.advance(minutes=wait)
    clocks.check_due(now)
    spec = standard.spec() | {
        "events": [event | {"at": f"{event['at'].isoformat()}Z"} for event in timeline],
        "now": f"{now.isoformat()}Z",
    }
    assert stored(incident) == simulate(spec)
