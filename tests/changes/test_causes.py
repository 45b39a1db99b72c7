"""Marking an incident as caused by a change, and clearing it: both trails say so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import changes
from helpdesk.core.errors import NotAllowed
from helpdesk.extensions import db
from helpdesk.models import AuditEvent
from helpdesk.models.audit import INCIDENT
from tests.changes.helpers import gen_change
from tests.changes.test_records import trail
from tests.factories import gen_incident, gen_service, gen_user


def incident_trail(incident) -> list[tuple[str, dict]]:
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(INCIDENT, incident.id)).order_by(AuditEvent.id)
    )
    return [(row.action, row.details) for row in rows if row.action != "opened"]


def test_marking_replacing_and_clearing_the_cause(app, clock):
    agent, vpn = gen_user("agent"), gen_service()
    first, second = gen_change(agent, vpn), gen_change(agent, vpn)
    incident = gen_incident(service_id=vpn.id)
    changes.mark_caused_by(incident, first, agent)
    changes.mark_caused_by(incident, first, agent)  # again: nothing new
    assert incident.caused_by_change == first
    changes.mark_caused_by(incident, second, agent)
    assert incident.caused_by_change == second
    changes.clear_cause(incident, agent)
    changes.clear_cause(incident, agent)  # nothing to clear
    assert incident.caused_by_change_id is None
    ref = incident.reference
    assert incident_trail(incident) == [
        ("caused_by_change", {"reference": first.reference}),
        ("caused_by_change", {"reference": second.reference}),
        ("cause_cleared", {"reference": second.reference}),
    ]
    assert trail(first)[1:] == [
        ("caused_incident", {"reference": ref}),
        ("cause_withdrawn", {"reference": ref}),
    ]
    assert trail(second)[1:] == [
        ("caused_incident", {"reference": ref}),
        ("cause_withdrawn", {"reference": ref}),
    ]


def test_only_agents_mark_the_cause(app, clock):
    vpn = gen_service()
    change = gen_change(gen_user("agent"), vpn)
    requester = gen_user("user")
    incident = gen_incident(requester, service_id=vpn.id)
    with pytest.raises(NotAllowed):
        changes.mark_caused_by(incident, change, requester)
    with pytest.raises(NotAllowed):
        changes.clear_cause(incident, requester)
    assert incident.caused_by_change_id is None
