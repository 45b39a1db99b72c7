"""Each incident's report facts, kept current by every change through the service layer,
measured on the policy's business hours across a weekend and a pause."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.incidents.escalation import escalate
from helpdesk.models import IncidentFacts, IncidentOpenSpan, SlaPolicy
from helpdesk.reports import keeper
from tests.conftest import ManualClock
from tests.factories import gen_incident, gen_team, gen_user

FRIDAY_4PM = datetime(2026, 12, 4, 16, 0)


def facts(incident_id: int) -> IncidentFacts:
    """The stored facts, read afresh."""
    db.session.expire_all()
    row = db.session.get(IncidentFacts, incident_id)
    assert row is not None
    return row


def spans(incident_id: int) -> list[tuple[datetime, datetime | None]]:
    """The stored open spans in order."""
    rows = db.session.scalars(
        db.select(IncidentOpenSpan)
        .where(IncidentOpenSpan.incident_id == incident_id)
        .order_by(IncidentOpenSpan.started_at)
    )
    return [(row.started_at, row.ended_at) for row in rows]


def test_a_weekend_and_a_pause_are_left_out_of_the_sla_time(
    app: Flask, clock: ManualClock, standard: SlaPolicy
) -> None:
    agent = gen_user("agent")
    team = gen_team("Service desk", [agent], service_desk=True)
    clock.set(FRIDAY_4PM)
    incident = gen_incident(impact="medium", urgency="medium")  # P3: business hours
    assert facts(incident.id).acknowledged_at is None

    clock.set(datetime(2026, 12, 4, 16, 30))
    incidents.add_reply(incident, agent, "Looking at it.")
    clock.set(datetime(2026, 12, 7, 10, 0))  # Monday
    incidents.assign(incident, agent, team.id, agent.id)
    incidents.change_status(incident, agent, "on_hold", "awaiting_user")
    clock.set(datetime(2026, 12, 7, 12, 0))
    incidents.add_reply(incident, incident.requester, "Here is the log.")
    clock.set(datetime(2026, 12, 8, 11, 0))  # Tuesday
    incidents.resolve(incident, agent, "fixed", "Replaced the cable.")

    row = facts(incident.id)
    assert row.priority == 3 and row.team_id == team.id and row.agent_id == agent.id
    assert row.acknowledged_at == datetime(2026, 12, 4, 16, 30)
    assert row.mtta_seconds == 30 * 60
    assert row.resolved_at == datetime(2026, 12, 8, 11, 0)
    assert row.mttr_seconds == (3 * 24 + 19) * 3600
    # Fri 16-17, Mon 9-10, (on hold 10-12), Mon 12-17, Tue 9-11: nine business hours.
    assert row.mttr_sla_seconds == 9 * 3600
    assert row.first_contact is True  # one team, one agent reply
    assert row.response_met is True and row.response_judged_at == datetime(2026, 12, 4, 16, 30)
    assert row.resolution_met is True
    assert spans(incident.id) == [(FRIDAY_4PM, datetime(2026, 12, 8, 11, 0))]


def test_a_reopening_withdraws_the_resolution_and_counts_against_first_contact(
    app: Flask, clock: ManualClock, standard: SlaPolicy
) -> None:
    agent = gen_user("agent")
    incident = gen_incident()
    opened = clock.now
    resolved = clock.advance(hours=1)
    incidents.resolve(incident, agent, "fixed", "Restarted it.")
    assert facts(incident.id).first_contact is True

    reopened = clock.advance(hours=1)
    incidents.reject_resolution(incident, incident.requester, "Still broken.")
    row = facts(incident.id)
    assert row.resolved_at is None and row.mttr_seconds is None and row.reopened is True
    assert spans(incident.id) == [(opened, resolved), (reopened, None)]

    clock.advance(hours=1)
    incidents.resolve(incident, agent, "fixed", "Replaced it.")
    row = facts(incident.id)
    assert row.mttr_seconds == 3 * 3600 and row.first_contact is False


def test_an_escalation_and_a_second_team_are_no_first_contact(
    app: Flask, clock: ManualClock
) -> None:
    agent = gen_user("agent")
    first, second = gen_team(members=[agent]), gen_team(members=[agent])
    incident = gen_incident()
    incidents.assign(incident, agent, first.id, None)
    escalate(incident, agent, "Needs the network team.", second.id)
    clock.advance(hours=2)
    incidents.resolve(incident, agent, "fixed", "Done.")
    row = facts(incident.id)
    assert row.escalated is True and row.first_contact is False
    assert row.acknowledged_at is None  # no agent named, no reply: never acknowledged
    assert row.response_met is None  # no policy judges it


def test_refresh_rebuilds_what_is_missing(app: Flask, clock: ManualClock) -> None:
    incident = gen_incident()
    db.session.execute(db.delete(IncidentFacts))
    db.session.execute(db.delete(IncidentOpenSpan))
    db.session.commit()
    keeper.refresh([incident.id])
    db.session.commit()
    assert facts(incident.id).opened_at == clock.now
    assert spans(incident.id) == [(clock.now, None)]
