"""Assignment to teams and agents, and ownership."""

import pytest

from helpdesk import incidents
from tests.factories import gen_incident, gen_team, gen_user


@pytest.fixture
def desk(app):
    lead, specialist = gen_user("agent", name="Sam Desk"), gen_user("agent", name="Nia Net")
    service_desk = gen_team("Service Desk", [lead], service_desk=True)
    network = gen_team("Network", [specialist])
    return lead, specialist, service_desk, network


def test_assigning_moves_new_to_assigned_and_desk_owns(desk):
    lead, specialist, service_desk, network = desk
    incident = gen_incident()
    incidents.assign(incident, lead, network.id, specialist.id)
    assert incident.status == "assigned"
    assert (incident.assigned_team, incident.assigned_agent) == (network, specialist)
    assert incident.owner_team == service_desk  # ownership stays with the service desk


def test_agent_must_belong_to_team(desk):
    lead, specialist, service_desk, _ = desk
    incident = gen_incident()
    with pytest.raises(incidents.InvalidInput, match="not a member of Service Desk"):
        incidents.assign(incident, lead, service_desk.id, specialist.id)
    assert incident.assigned_agent is None


def test_agent_alone_brings_their_team(desk):
    lead, specialist, _, network = desk
    incident = gen_incident()
    incidents.assign(incident, lead, None, specialist.id)
    assert incident.assigned_team == network


def test_only_agents_can_be_assigned(desk):
    lead, _, service_desk, _ = desk
    with pytest.raises(incidents.InvalidInput, match="not an agent"):
        incidents.assign(gen_incident(), lead, service_desk.id, gen_user().id)


def test_unassigning_returns_to_new(desk):
    lead, _, _, network = desk
    incident = gen_incident()
    incidents.assign(incident, lead, network.id, None)
    incidents.assign(incident, lead, None, None)
    assert incident.status == "new"


def test_unknown_team_is_reported(desk):
    lead, *_ = desk
    with pytest.raises(incidents.NotFound, match="Unknown team"):
        incidents.assign(gen_incident(), lead, 999, None)


def test_take_ownership(desk):
    lead, _, service_desk, _ = desk
    incident = gen_incident()
    incidents.take_ownership(incident, lead)
    assert (incident.owner_agent, incident.owner_team) == (lead, service_desk)


def test_users_cannot_assign(desk):
    _, _, service_desk, _ = desk
    requester = gen_user()
    with pytest.raises(incidents.NotAllowed):
        incidents.assign(gen_incident(requester), requester, service_desk.id, None)
