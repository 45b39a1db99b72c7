"""The major-incident operations of the API: declare, children, subscribers, updates,
resolve, and the public list, each through the same services and permissions as the web."""

from __future__ import annotations

from flask.testing import FlaskClient

from helpdesk import lifecycle
from helpdesk.reads import major_incidents as majors
from tests.api.conftest import token_for
from tests.factories import gen_incident, gen_user
from tests.major_incidents.conftest import Outage
from tests.major_incidents.mail import update_rows

DECLARE = {"public_title": "VPN outage", "public_summary": "Cannot connect.", "services": ["vpn"]}


def test_the_whole_flow(client: FlaskClient, outage: Outage, clock):
    agent = token_for(outage.agent)
    base = f"/api/v1/incidents/{outage.incident.reference}"
    answer = client.post(f"{base}/major", json=DECLARE, headers=agent)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["public_title"], body["phase"], body["services"]) == (
        "VPN outage",
        "investigating",
        ["VPN"],
    )
    assert body["declared_at"] == "2026-11-30T09:00:00Z" and body["resolved_at"] is None
    assert outage.incident.priority == 1

    child = gen_incident(gen_user(name="Bob"))
    answer = client.post(f"{base}/children", json={"reference": child.reference}, headers=agent)
    assert answer.status_code == 201
    assert [item["reference"] for item in answer.get_json()["items"]] == [child.reference]
    listed = client.get(f"{base}/children", headers=agent).get_json()["items"]
    assert [item["reference"] for item in listed] == [child.reference]

    answer = client.post(
        f"{base}/updates", json={"phase": "identified", "body": "Found it."}, headers=agent
    )
    assert answer.status_code == 201 and answer.get_json()["phase"] == "identified"
    assert len(update_rows()) == 2  # Rita and Bob

    clock.advance(hours=1)
    resolution = {"notes": "Renewed the certificate.", "public_message": "The VPN works again."}
    answer = client.post(f"{base}/major/resolve", json=resolution, headers=agent)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["phase"] == "resolved" and body["resolved_at"] == "2026-11-30T10:00:00Z"
    assert [u["body"] for u in body["updates"]] == ["The VPN works again.", "Found it."]
    assert child.status == lifecycle.RESOLVED


def test_end_users_subscribe_themselves_and_agents_add_people(
    client: FlaskClient, outage: Outage, declared
):
    base = f"/api/v1/incidents/{outage.incident.reference}/subscribers"
    dora = gen_user(name="Dora")
    mine = token_for(dora)
    first = client.post(base, json={}, headers=mine)
    again = client.post(base, json={"email": dora.email}, headers=mine)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["via"] == "api"
    refused = client.post(base, json={"email": "eve@example.org"}, headers=mine)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert client.get(base, headers=mine).status_code == 404  # not hers to see
    agent = token_for(outage.agent)
    added = client.post(base, json={"email": "eve@example.org"}, headers=agent)
    assert added.status_code == 201 and added.get_json()["via"] == "agent"
    emails = [item["email"] for item in client.get(base, headers=agent).get_json()["items"]]
    assert emails == [outage.requester.email, dora.email, "eve@example.org"]


def test_end_users_cannot_declare_attach_or_post(client: FlaskClient, outage: Outage, declared):
    rita = token_for(outage.requester)
    base = f"/api/v1/incidents/{outage.incident.reference}"
    own = gen_incident(outage.requester)
    calls = [
        (f"/api/v1/incidents/{own.reference}/major", DECLARE),
        (f"{base}/children", {"reference": own.reference}),
        (f"{base}/updates", {"phase": "identified", "body": "Me too."}),
        (f"{base}/major/resolve", {"notes": "x", "public_message": "y"}),
    ]
    for url, json in calls:
        assert client.post(url, json=json, headers=rita).status_code == 403, url
    assert majors.major_of(own) is None and own.parent_id is None
    assert majors.updates(declared) == []


def test_the_public_list_and_updates_say_nothing_internal(
    client: FlaskClient, outage: Outage, declared
):
    stranger = token_for(gen_user())
    listed = client.get("/api/v1/major-incidents", headers=stranger)
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert item["reference"] == outage.incident.reference and item["public_title"] == "VPN outage"
    assert "vpn-gw-02" not in listed.get_data(as_text=True)
    assert "Rita" not in listed.get_data(as_text=True)
    updates = client.get(f"/api/v1/incidents/{outage.incident.reference}/updates", headers=stranger)
    assert updates.status_code == 200 and updates.get_json() == {"items": []}


def test_an_incident_that_is_not_major_is_404(client: FlaskClient, outage: Outage):
    agent = token_for(outage.agent)
    base = f"/api/v1/incidents/{outage.incident.reference}"
    for url in ("/updates", "/children", "/subscribers"):
        assert client.get(f"{base}{url}", headers=agent).status_code == 404, url
