"""Pages read what they show in a fixed number of queries: the incident page does not ask
for each agent's teams one by one (the assign form labels every agent with them)."""

from __future__ import annotations

from tests.factories import gen_incident, gen_team, gen_user
from tests.sql_statements import counted_statements


def incident_page_statements(client, incident) -> int:
    """How many statements one load of the incident page runs."""
    with counted_statements() as statements:
        assert client.get(f"/agent/incidents/{incident.reference}").status_code == 200
    return len(statements)


def test_the_incident_page_does_not_grow_with_the_number_of_agents(app, client, auth):
    desk_agent = gen_user("agent", name="Desk Agent")
    gen_team("Service Desk", [desk_agent], service_desk=True)
    auth.login(desk_agent.email)
    incident = gen_incident()
    few = incident_page_statements(client, incident)
    for number in range(12):
        gen_team(f"Team {number}", [gen_user("agent", name=f"Agent {number}")])
    many = incident_page_statements(client, incident)
    assert many <= few + 2, (few, many)
