"""Declaring a major incident: priority 1 through the classification's override (so the SLA
clock follows), the public face, the requester subscribed, audited and published; refused
twice, for a child, a closed incident, and for anyone but agents."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import incidents, major_incidents
from helpdesk.core import events
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.major_incidents.declaring import DECLARED_REASON
from helpdesk.major_incidents.events import MajorIncidentDeclared
from helpdesk.models import AuditEvent, MajorIncident
from helpdesk.models.audit import INCIDENT
from helpdesk.reads import major_incidents as majors
from tests.factories import gen_incident, gen_user
from tests.major_incidents.conftest import Outage, declare
from tests.sla_policy import seed_standard


def test_declaring_makes_it_priority_one_with_a_public_face(outage: Outage):
    seen: list[MajorIncidentDeclared] = []
    events.subscribe(MajorIncidentDeclared, seen.append)
    major = declare(outage)
    assert outage.incident.priority == 1
    assert outage.incident.priority_override_reason == DECLARED_REASON
    assert (major.public_title, major.phase, major.is_current) == (
        "VPN outage",
        "investigating",
        True,
    )
    assert [service.name for service in major.services] == ["VPN"]
    assert major.declared_by == outage.agent
    assert seen[-1].major is major and seen[-1].actor == outage.agent
    [row] = majors.subscribers(major)
    assert (row.user, row.via) == (outage.requester, "declared")


def test_declaring_is_audited_on_the_incident(outage: Outage):
    declare(outage)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.about(INCIDENT, outage.incident.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions[-3:] == ["classified", "major_declared", "subscribed"]


def test_the_sla_targets_follow_priority_one(outage: Outage):
    seed_standard()
    incident = gen_incident(outage.requester, impact="low", urgency="low")
    before = incident.resolution_due_at
    major_incidents.declare(incident, outage.agent, "VPN", "Down.", [outage.vpn.id])
    assert incident.resolution_due_at is not None and incident.resolution_due_at < before


def test_an_incident_is_declared_once(outage: Outage, declared: MajorIncident):
    with pytest.raises(InvalidInput, match="already a major incident"):
        declare(outage)
    assert db.session.query(MajorIncident).count() == 1


def test_a_child_cannot_be_declared(outage: Outage, declared: MajorIncident):
    child = gen_incident(gen_user())
    major_incidents.attach_child(declared, child, outage.agent)
    with pytest.raises(
        InvalidInput, match=f"child of the major incident {outage.incident.reference}"
    ):
        major_incidents.declare(child, outage.agent, "VPN", "Down.", [outage.vpn.id])


@pytest.mark.parametrize("ending", ["cancel", "resolve"])
def test_a_finished_incident_cannot_be_declared(outage: Outage, ending: str):
    if ending == "cancel":
        incidents.cancel(outage.incident, outage.agent, "Reported twice.")
    else:
        incidents.resolve(outage.incident, outage.agent, "fixed", "Restarted the gateway.")
    with pytest.raises(InvalidInput, match="only an open incident can be declared major"):
        declare(outage)


def test_end_users_cannot_declare(outage: Outage):
    with pytest.raises(NotAllowed):
        major_incidents.declare(outage.incident, outage.requester, "VPN", "Down.", [outage.vpn.id])
    assert db.session.query(MajorIncident).count() == 0
    assert outage.incident.priority != 1


@pytest.mark.parametrize(
    ("title", "summary", "services", "message"),
    [
        ("", "Down.", True, "public title cannot be empty"),
        ("VPN", " ", True, "public summary cannot be empty"),
        ("VPN", "Down.", False, "at least one affected service"),
    ],
)
def test_the_public_face_is_required(outage: Outage, title, summary, services, message):
    with pytest.raises(InvalidInput, match=message):
        major_incidents.declare(
            outage.incident, outage.agent, title, summary, [outage.vpn.id] if services else []
        )
    assert outage.incident.priority != 1  # nothing of the refused declaration stays
