"""Children: attached (linked, not merged) with their requesters subscribed and the change
audited on both; refused for the major incident itself, another major one, one attached
already and a closed one; detached with the subscription the attachment made."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import incidents, major_incidents
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, MajorIncident, Message
from helpdesk.models.audit import INCIDENT
from helpdesk.reads import major_incidents as majors
from tests.factories import gen_incident, gen_service, gen_user
from tests.major_incidents.conftest import Outage


def actions_on(incident) -> list[str]:
    """The incident's audit actions, in order."""
    query = select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_attaching_links_the_child_and_subscribes_its_requester(
    outage: Outage, declared: MajorIncident
):
    bob = gen_user(name="Bob")
    child = gen_incident(bob, subject="VPN will not connect")
    incidents.add_reply(child, bob, "Still down here.")
    major_incidents.attach_child(declared, child, outage.agent)
    assert child.parent == outage.incident and child.is_open
    assert majors.children(declared) == [child]
    by_person = {row.user.name: row.via for row in majors.subscribers(declared)}
    assert by_person == {"Rita Requester": "declared", "Bob": "attached"}
    assert "child_attached" in actions_on(outage.incident)
    assert "attached_to_major" in actions_on(child)
    # Linked, not merged: the child keeps its own conversation.
    bodies = db.session.scalars(select(Message.body).where(Message.incident_id == child.id))
    assert "Still down here." in list(bodies)


def test_refusals(outage: Outage, declared: MajorIncident):
    with pytest.raises(InvalidInput, match="its own child"):
        major_incidents.attach_child(declared, outage.incident, outage.agent)
    other = gen_incident(gen_user())
    major_incidents.declare(other, outage.agent, "Mail", "Mail is slow.", [gen_service().id])
    with pytest.raises(InvalidInput, match="major incident itself"):
        major_incidents.attach_child(declared, other, outage.agent)
    child = gen_incident(gen_user())
    major_incidents.attach_child(declared, child, outage.agent)
    with pytest.raises(InvalidInput, match="already attached"):
        major_incidents.attach_child(declared, child, outage.agent)
    with pytest.raises(InvalidInput, match=f"already a child of {outage.incident.reference}"):
        major_incidents.attach_child(majors.major_of(other), child, outage.agent)
    closed = gen_incident(gen_user())
    incidents.cancel(closed, outage.agent, "Spam.")
    with pytest.raises(InvalidInput, match="is closed"):
        major_incidents.attach_child(declared, closed, outage.agent)


def test_end_users_cannot_attach(outage: Outage, declared: MajorIncident):
    child = gen_incident(outage.requester)
    with pytest.raises(NotAllowed):
        major_incidents.attach_child(declared, child, outage.requester)
    assert child.parent_id is None


def test_detaching_drops_the_subscription_the_attachment_made(
    outage: Outage, declared: MajorIncident
):
    bob, cleo = gen_user(name="Bob"), gen_user(name="Cleo")
    bobs = gen_incident(bob)
    cleos = gen_incident(cleo)
    major_incidents.attach_child(declared, bobs, outage.agent)
    major_incidents.attach_child(declared, cleos, outage.agent)
    major_incidents.subscribe(declared, cleo, "portal")  # already subscribed: stays "attached"
    major_incidents.detach_child(declared, bobs, outage.agent)
    assert bobs.parent_id is None and majors.children(declared) == [cleos]
    assert {row.user.name for row in majors.subscribers(declared)} == {"Rita Requester", "Cleo"}
    assert "detached_from_major" in actions_on(bobs)
    with pytest.raises(InvalidInput, match="is not attached"):
        major_incidents.detach_child(declared, bobs, outage.agent)


def test_an_alert_incident_attaches_without_subscribing_the_monitoring_account(
    outage: Outage, declared: MajorIncident
):
    robot = gen_user(name="Monitoring")
    child = gen_incident(robot, channel="alert")
    major_incidents.attach_child(declared, child, outage.agent)
    assert robot not in [row.user for row in majors.subscribers(declared)]
