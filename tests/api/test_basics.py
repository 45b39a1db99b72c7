"""The API's edge: tokens, scopes, problem details, the document and its page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk import api_tokens
from helpdesk.extensions import db
from helpdesk.incidents import add_note, add_reply
from tests.api.conftest import Caller, token_for
from tests.conftest import make_app
from tests.factories import gen_category, gen_incident, gen_team, gen_user

PROBLEM = "application/problem+json"


def test_no_token_wrong_token_and_revoked_token_are_refused_alike(api: FlaskClient, requester):
    revoked_user = gen_user("user")
    row, token = api_tokens.create_from_command_line(revoked_user, "old", "read")
    api_tokens.revoke_from_command_line(row.id)
    for headers in ({}, {"Authorization": "Bearer hd_wrong"}, {"Authorization": f"Bearer {token}"}):
        response = api.get("/api/v1/categories", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["code"] == "unauthorized"


def test_a_read_token_reads_and_an_alerts_token_does_not(api: FlaskClient, requester):
    gen_category("Printing")
    read = api.get("/api/v1/categories", headers=token_for(requester.user, "read"))
    assert read.status_code == 200
    assert [entry["name"] for entry in read.json["items"]] == ["Printing"]
    alerts = api.get("/api/v1/categories", headers=token_for(requester.user, "alerts"))
    assert alerts.status_code == 403 and alerts.json["code"] == "insufficient_scope"


def test_teams_are_for_agents_only(api: FlaskClient, requester: Caller, agent: Caller):
    gen_team("Network")
    assert api.get("/api/v1/teams", headers=requester.headers).json["code"] == "not_allowed"
    listed = api.get("/api/v1/teams", headers=agent.headers).json["items"]
    assert [team["name"] for team in listed] == ["Network"]


def test_a_requester_reads_their_incident_without_the_notes(
    api: FlaskClient, requester: Caller, agent: Caller
):
    incident = gen_incident(requester.user, subject="Printer jams")
    add_reply(incident, agent.user, "Which printer?")
    add_note(incident, agent.user, "Probably the 3rd floor one.")
    url = f"/api/v1/incidents/{incident.reference}"
    seen = api.get(url, headers=requester.headers).json
    assert seen["subject"] == "Printer jams" and seen["requester"] == requester.user.email
    bodies = [m["body"] for m in seen["messages"]]
    assert bodies[-1] == "Which printer?" and "Probably the 3rd floor one." not in bodies
    assert seen["created_at"].endswith("Z")
    as_agent = api.get(url, headers=agent.headers).json["messages"]
    assert "Probably the 3rd floor one." in [m["body"] for m in as_agent]


def test_someone_elses_incident_is_not_found_like_no_incident(api: FlaskClient, requester):
    other = gen_incident(gen_user("user"))
    for reference in (other.reference, "INC-999999"):
        response = api.get(f"/api/v1/incidents/{reference}", headers=requester.headers)
        assert response.status_code == 404 and response.mimetype == PROBLEM
        assert response.json["code"] == "not_found"


def test_an_unknown_api_url_is_a_problem_not_a_page(api: FlaskClient):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == PROBLEM


@pytest.mark.parametrize("path", ["/api/v1/openapi.json"])
def test_the_document_is_openapi_3_1_with_problem_details(api: FlaskClient, path):
    document = api.get(path).json
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/v1/incidents/{reference}"]["get"]
    assert "application/problem+json" in operation["responses"]["404"]["content"]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_document_has_a_page_to_browse(api: FlaskClient):
    page = api.get("/api/v1/docs")
    assert page.status_code == 200
    assert "GET /api/v1/incidents/{reference}" in page.get_data(as_text=True)


def test_each_token_has_its_own_rate_limit(tmp_path):
    app = make_app(tmp_path / "instance", RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
    with app.app_context():
        first, second = token_for(gen_user("user")), token_for(gen_user("user"))
        client = app.test_client()
        answers = [client.get("/api/v1/categories", headers=first).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        refused = client.get("/api/v1/categories", headers=first)
        assert refused.mimetype == PROBLEM and refused.json["code"] == "too_many_requests"
        assert client.get("/api/v1/categories", headers=second).status_code == 200
        db.session.remove()


def test_a_form_sent_where_json_is_expected_is_a_415_everywhere(
    app: Flask, api: FlaskClient, agent: Caller
):
    """Every operation that takes a body answers a form sent in place of its JSON with 415
    and what to send, never a server error (spectree hands such a view no body)."""
    incident = gen_incident(subject="Form test")
    answers = {}
    for rule in app.url_map.iter_rules():
        for method in {"POST", "PATCH"} & (rule.methods or set()):
            if not rule.rule.startswith("/api/v1/") or "/alerts/" in rule.rule:
                continue
            path = re.sub(
                r"<(?:\w+:)?(\w+)>",
                lambda part: incident.reference if "reference" in part.group(1) else "1",
                rule.rule,
            )
            response = api.open(path, method=method, data={"x": "y"}, headers=agent.headers)
            answers[(method, path)] = response.status_code
    assert answers and max(answers.values()) < 500, answers
    assert answers[("POST", "/api/v1/incidents")] == 415
