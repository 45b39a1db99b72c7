"""Incidents through the API: lists (an agent's queues, a requester's own) with keyset
pages, and creates (for oneself, or by an agent for a requester) with Idempotency-Key."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.incidents import add_participant
from helpdesk.models import Change, Incident, OutboundEmail, Problem
from tests.api.conftest import Caller
from tests.factories import gen_category, gen_incident, gen_team, gen_user

PROBLEM = "application/problem+json"


def _incident_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Incident)) or 0


def test_a_requester_opens_an_incident_and_gets_its_address(api: FlaskClient, requester: Caller):
    gen_category("Printing")
    sent = {"subject": "Printer jams", "description": "Page 2 jams.", "category": "printing"}
    response = api.post("/api/v1/incidents", json=sent, headers=requester.headers)
    assert response.status_code == 201
    created = response.json
    assert created["subject"] == "Printer jams" and created["category"] == "Printing"
    assert created["channel"] == "api" and created["requester"] == requester.user.email
    assert response.headers["Location"] == f"/api/v1/incidents/{created['reference']}"
    read_back = api.get(response.headers["Location"], headers=requester.headers)
    assert read_back.json["messages"][0]["body"] == "Page 2 jams."


def test_a_retried_create_with_its_key_opens_one_incident(api: FlaskClient, requester: Caller):
    headers = {**requester.headers, "Idempotency-Key": "7f0c-retry"}
    sent = {"subject": "VPN down", "description": "Cannot connect."}
    first = api.post("/api/v1/incidents", json=sent, headers=headers)
    again = api.post("/api/v1/incidents", json=sent, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["reference"] == first.json["reference"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert _incident_count() == 1
    other = api.post("/api/v1/incidents", json={**sent, "subject": "Other"}, headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    assert _incident_count() == 1


def test_a_key_is_one_persons_own(api: FlaskClient, requester: Caller):
    from tests.api.conftest import token_for

    someone = token_for(gen_user("user"))
    sent = {"subject": "VPN down", "description": "Cannot connect."}
    api.post("/api/v1/incidents", json=sent, headers={**requester.headers, "Idempotency-Key": "k"})
    theirs = api.post("/api/v1/incidents", json=sent, headers={**someone, "Idempotency-Key": "k"})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert _incident_count() == 2


def test_a_refused_create_keeps_no_key_and_can_be_corrected(api: FlaskClient, requester):
    headers = {**requester.headers, "Idempotency-Key": "fix-and-retry"}
    refused = api.post(
        "/api/v1/incidents",
        json={"subject": "VPN", "description": "Down", "service": "Nope"},
        headers=headers,
    )
    assert refused.status_code == 422 and "No service is called 'Nope'" in refused.json["detail"]
    fixed = api.post(
        "/api/v1/incidents", json={"subject": "VPN", "description": "Down"}, headers=headers
    )
    assert fixed.status_code == 201 and _incident_count() == 1


def test_an_agent_logs_a_call_for_a_requester(api: FlaskClient, agent: Caller):
    caller_person = gen_user("user", email="uma@example.com")
    sent = {
        "subject": "Screen flickers",
        "description": "Since this morning.",
        "requester": "Uma@Example.com",
        "channel": "phone",
    }
    response = api.post("/api/v1/incidents", json=sent, headers=agent.headers)
    assert response.status_code == 201
    incident = db.session.scalar(select(Incident))
    assert incident.requester_id == caller_person.id and incident.channel == "phone"
    assert incident.first_response_at is not None  # the call itself answered
    acknowledgements = db.session.scalars(select(OutboundEmail)).all()
    assert [mail.recipient for mail in acknowledgements] == ["uma@example.com"]


def test_an_unknown_requester_is_refused_with_what_to_do(api: FlaskClient, agent: Caller):
    sent = {"subject": "X", "description": "Y", "requester": "nobody@example.com"}
    response = api.post("/api/v1/incidents", json=sent, headers=agent.headers)
    assert response.status_code == 422 and "POST /api/v1/people" in response.json["detail"]
    assert _incident_count() == 0


def test_a_requester_cannot_open_for_someone_else(api: FlaskClient, requester: Caller):
    other = gen_user("user")
    sent = {"subject": "X", "description": "Y", "requester": other.email}
    response = api.post("/api/v1/incidents", json=sent, headers=requester.headers)
    assert response.status_code == 403 and response.mimetype == PROBLEM
    phoned = api.post(
        "/api/v1/incidents",
        json={"subject": "X", "description": "Y", "channel": "phone"},
        headers=requester.headers,
    )
    assert phoned.status_code == 403 and _incident_count() == 0


def test_a_request_the_schema_refuses_names_the_field(api: FlaskClient, requester: Caller):
    response = api.post(
        "/api/v1/incidents", json={"subject": "", "description": "Y"}, headers=requester.headers
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert ["subject"] in [error["location"][-1:] for error in response.json["errors"]]


def test_a_read_token_cannot_create(api: FlaskClient, requester: Caller):
    from tests.api.conftest import token_for

    read_only = token_for(requester.user, "read")
    sent = {"subject": "X", "description": "Y"}
    response = api.post("/api/v1/incidents", json=sent, headers=read_only)
    assert response.status_code == 403 and response.json["code"] == "insufficient_scope"


def test_an_agent_pages_through_a_queue_by_next_links(api: FlaskClient, agent: Caller):
    someone = gen_user("user")
    made = {gen_incident(someone, subject=f"Case {n}").reference for n in range(7)}
    seen: list[str] = []
    url: str | None = "/api/v1/incidents?queue=open&limit=3"
    while url:
        page = api.get(url, headers=agent.headers).json
        seen += [item["reference"] for item in page["items"]]
        url = page["next"]
    assert len(seen) == 7 and set(seen) == made


def test_an_agent_filters_a_queue_like_the_console(api: FlaskClient, agent: Caller):
    network = gen_team("Network")
    someone = gen_user("user")
    wanted = gen_incident(someone, subject="Switch down")
    gen_incident(someone, subject="Printer jams")
    wanted.assigned_team_id = network.id
    db.session.commit()
    by_team = api.get(f"/api/v1/incidents?team={network.id}", headers=agent.headers).json
    assert [item["reference"] for item in by_team["items"]] == [wanted.reference]
    by_words = api.get("/api/v1/incidents?q=jams", headers=agent.headers).json
    assert [item["subject"] for item in by_words["items"]] == ["Printer jams"]


def test_a_requester_lists_only_their_own_and_copied(api: FlaskClient, requester: Caller, agent):
    mine = gen_incident(requester.user, subject="Mine")
    copied = gen_incident(gen_user("user"), subject="Copied")
    add_participant(copied, agent.user, requester.user)
    gen_incident(gen_user("user"), subject="Not mine")
    listed = api.get("/api/v1/incidents?limit=1", headers=requester.headers).json
    seen = [item["reference"] for item in listed["items"]]
    following = api.get(listed["next"], headers=requester.headers).json
    seen += [item["reference"] for item in following["items"]]
    assert sorted(seen) == sorted([mine.reference, copied.reference])
    assert following["next"] is None


def test_a_requester_may_not_use_the_console_filters(api: FlaskClient, requester: Caller):
    response = api.get("/api/v1/incidents?queue=unassigned", headers=requester.headers)
    assert response.status_code == 403 and "Only agents filter by queue" in response.json["detail"]


def test_a_made_up_position_is_refused(api: FlaskClient, agent: Caller):
    response = api.get("/api/v1/incidents?after=nonsense", headers=agent.headers)
    assert response.status_code == 422 and "next" in response.json["detail"]


def test_an_incident_names_its_major_incident_and_to_agents_its_problem_and_change(
    api: FlaskClient, requester: Caller, agent: Caller
):
    """The major incident it is a child of is public; its problem and causing change are
    for agents (the requester sees null)."""
    parent = gen_incident(gen_user("user"), subject="VPN outage")
    problem = Problem(reference="PRB-000001", title="Certificate renewal")
    change = Change(reference="CHG-000001", title="Renew gateway certificate")
    db.session.add_all([problem, change])
    db.session.flush()
    own = gen_incident(requester.user, subject="No VPN")
    own.parent_id, own.problem_id, own.caused_by_change_id = parent.id, problem.id, change.id
    db.session.commit()
    path = f"/api/v1/incidents/{own.reference}"
    seen = {
        who: {k: api.get(path, headers=caller.headers).json[k] for k in LINKS}
        for who, caller in (("agent", agent), ("requester", requester))
    }
    assert seen == {
        "agent": {
            "parent": parent.reference,
            "problem": "PRB-000001",
            "caused_by_change": "CHG-000001",
        },
        "requester": {"parent": parent.reference, "problem": None, "caused_by_change": None},
    }


LINKS = ("parent", "problem", "caused_by_change")
