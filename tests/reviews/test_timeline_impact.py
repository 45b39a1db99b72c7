"""The review's timeline holds the incident's audit trail, its children's key events, its
alerts and its public updates in time order; its impact counts the duration, the people
affected, the services and the SLA breaches."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import (
    AlertGroup,
    MajorIncidentSubscription,
    PublicUpdate,
    ReceivedAlert,
    utcnow,
)
from helpdesk.reads.review_impact import impact
from helpdesk.reads.review_timeline import ALERT, AUDIT, CHILD, PUBLIC_UPDATE, describe, timeline
from tests.factories import gen_incident, gen_service, gen_user
from tests.reviews.conftest import declare, p1

T0 = datetime(2026, 11, 30, 9, 0)


def attach(child, parent):
    child.parent_id = parent.id
    db.session.commit()


def test_describe_names_the_action_and_its_telling_details():
    assert describe("status_changed", {"from": "new", "to": "in_progress"}) == (
        "Status changed (to in_progress)"
    )
    assert describe("took_ownership", {"agent": "Ann"}) == "Took ownership (agent Ann)"
    assert describe("resolved", {}) == "Resolved"


def test_the_timeline_holds_every_source_in_time_order(app, clock, agent):
    monitor = gen_user("agent", name="Monitoring")
    incident = p1(subject="VPN down")  # 09:00 opened
    clock.advance(minutes=5)
    db.session.add(
        ReceivedAlert(
            source="alertmanager",
            received_at=utcnow(),
            user=monitor,
            body="{}",
            outcome="added",
            incident_id=incident.id,
        )
    )
    db.session.add(
        AlertGroup(
            incident_id=incident.id,
            source="alertmanager",
            group_key="vpn-tunnels",
            occurrences=3,
            first_seen_at=T0 + timedelta(minutes=2),
            last_seen_at=T0 + timedelta(minutes=50),
        )
    )
    db.session.commit()
    major = declare(incident, agent)
    clock.advance(minutes=10)  # 09:15
    db.session.add(
        PublicUpdate(
            major_incident_id=major.id,
            phase="identified",
            body="A certificate expired.",
            author=agent,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    clock.advance(minutes=5)  # 09:20
    child = gen_incident(subject="Cannot connect")
    attach(child, incident)
    clock.advance(minutes=40)  # 10:00
    incidents.resolve(child, agent, "fixed", "Fixed with the parent.")
    incidents.add_note(child, agent, "Not key: left out")
    clock.advance(minutes=5)  # 10:05
    incidents.resolve(incident, agent, "fixed", "Renewed the certificate.")

    entries = timeline(incident)
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    seen = [(entry.at - T0, entry.kind, entry.text.split(" (")[0]) for entry in entries]
    minutes = lambda m: timedelta(minutes=m)  # noqa: E731
    assert seen == [
        (minutes(0), AUDIT, "Opened"),
        (minutes(2), ALERT, "Alert vpn-tunnels first seen"),
        (minutes(5), ALERT, "Alert added"),
        (minutes(15), PUBLIC_UPDATE, "Public update"),
        (minutes(20), CHILD, f"{child.reference}: Opened"),
        (minutes(50), ALERT, "Alert vpn-tunnels last seen"),
        (minutes(60), CHILD, f"{child.reference}: Resolved"),
        (minutes(65), AUDIT, "Resolved"),
    ]
    update = next(entry for entry in entries if entry.kind == PUBLIC_UPDATE)
    assert (update.who, update.text) == (
        agent.name,
        "Public update (identified): A certificate expired.",
    )
    assert entries[-1].who == agent.name


def test_impact_counts_duration_people_services_and_breaches(app, clock, agent):
    vpn, mail = gen_service("VPN"), gen_service("Mail")
    requester = gen_user()
    incident = p1(requester, service_id=vpn.id)
    major = declare(incident, agent, vpn, mail)
    child_requester = gen_user()
    child = gen_incident(child_requester)
    attach(child, incident)
    subscriber = gen_user()
    for person in (subscriber, requester, child_requester):  # each counted once
        db.session.add(
            MajorIncidentSubscription(major_incident_id=major.id, user_id=person.id, via="portal")
        )
    clock.advance(hours=2, minutes=30)
    incidents.resolve(incident, agent, "fixed", "Renewed the certificate.")
    incident.response_breached_at = T0 + timedelta(minutes=30)  # as the SLA clock records
    child.resolution_breached_at = T0 + timedelta(hours=2)
    db.session.commit()

    found = impact(incident)
    assert found.duration == timedelta(hours=2, minutes=30)
    assert found.people_affected == 3
    assert found.services == ["Mail", "VPN"]
    assert [(b.reference, b.target) for b in found.breaches] == [
        (incident.reference, "response"),
        (child.reference, "resolution"),
    ]


def test_an_open_incident_has_no_duration_yet(app, clock):
    found = impact(p1())
    assert (found.resolved_at, found.duration, found.people_affected) == (None, None, 1)
