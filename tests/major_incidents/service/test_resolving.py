"""Resolving a major incident resolves its own incident and every open child, with notes
naming it, a final public update and an audit entry; each child's requester gets the usual
resolved mail and can still say it is not fixed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import incidents, lifecycle, major_incidents
from helpdesk.core import events
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.major_incidents.events import MajorIncidentResolved
from helpdesk.models import AuditEvent, MajorIncident, OutboundEmail
from helpdesk.models.audit import INCIDENT
from helpdesk.reads import major_incidents as majors
from tests.factories import gen_incident, gen_user
from tests.major_incidents.conftest import Outage
from tests.major_incidents.mail import update_rows


def test_resolving_resolves_the_open_children_with_a_notice(
    outage: Outage, declared: MajorIncident, clock
):
    seen: list[MajorIncidentResolved] = []
    events.subscribe(MajorIncidentResolved, seen.append)
    bob = gen_user(name="Bob")
    open_child, done_child = gen_incident(bob), gen_incident(gen_user())
    for child in (open_child, done_child):
        major_incidents.attach_child(declared, child, outage.agent)
    incidents.resolve(done_child, outage.agent, "fixed", "Fixed on its own.")
    clock.advance(hours=2)
    resolved = major_incidents.resolve(
        declared, outage.agent, "Replaced the gateway's certificate.", "The VPN works again."
    )
    assert resolved == [open_child]
    assert outage.incident.status == lifecycle.RESOLVED
    assert outage.incident.resolution_notes == "Replaced the gateway's certificate."
    assert open_child.status == lifecycle.RESOLVED
    assert outage.incident.reference in open_child.resolution_notes
    assert "The VPN works again." in open_child.resolution_notes
    assert done_child.resolution_notes == "Fixed on its own."
    assert (declared.resolved_at, declared.phase, declared.is_current) == (
        clock.now,
        "resolved",
        False,
    )
    assert majors.updates(declared)[0].body == "The VPN works again."
    assert seen[-1].major is declared and seen[-1].actor == outage.agent
    trail = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, outage.incident.id))
    ).all()
    [done] = [event for event in trail if event.action == "major_resolved"]
    assert done.details == {"children": [open_child.reference]}
    people = {outage.requester.email, bob.email, done_child.requester.email}
    assert {row.recipient for row in update_rows()} == people


def test_the_child_requester_gets_the_resolved_mail_and_can_still_reject(
    outage: Outage, declared: MajorIncident
):
    bob = gen_user(name="Bob")
    child = gen_incident(bob)
    major_incidents.attach_child(declared, child, outage.agent)
    major_incidents.resolve(declared, outage.agent, "Fixed.", "The VPN works again.")
    resolved_mail = db.session.scalars(
        select(OutboundEmail).where(
            OutboundEmail.recipient == bob.email, OutboundEmail.kind == "resolved"
        )
    ).one()
    assert resolved_mail.incident_id == child.id
    assert "reject_url" in resolved_mail.snapshot["context"]
    incidents.reject_resolution(child, bob, "Still cannot connect from home.")
    assert child.status == lifecycle.IN_PROGRESS and child.parent == outage.incident


def test_resolving_twice_is_refused(outage: Outage, declared: MajorIncident):
    major_incidents.resolve(declared, outage.agent, "Fixed.", "Back.")
    with pytest.raises(InvalidInput, match="was resolved"):
        major_incidents.resolve(declared, outage.agent, "Fixed.", "Back.")
    with pytest.raises(InvalidInput, match="was resolved"):
        major_incidents.post_update(declared, outage.agent, "monitoring", "More.")


def test_a_refused_resolution_leaves_everything_open(outage: Outage, declared: MajorIncident):
    child = gen_incident(gen_user())
    major_incidents.attach_child(declared, child, outage.agent)
    with pytest.raises(InvalidInput, match="public message cannot be empty"):
        major_incidents.resolve(declared, outage.agent, "Fixed.", "")
    with pytest.raises(NotAllowed):
        major_incidents.resolve(declared, outage.requester, "Fixed.", "Back.")
    db.session.expire_all()
    assert outage.incident.is_open and child.is_open and declared.is_current


def test_an_incident_resolved_already_still_ends_its_major_incident(
    outage: Outage, declared: MajorIncident
):
    incidents.resolve(outage.incident, outage.agent, "fixed", "Restarted it.")
    major_incidents.resolve(declared, outage.agent, "Restarted it.", "Back.")
    assert not declared.is_current
    assert outage.incident.resolution_notes == "Restarted it."
