"""Problems through the API: listing and searching known errors, opening, reading, changing
and resolving one (with its open incidents), and on an incident linking, unlinking and
sending the workaround; end users get 403, or 404 for an incident not theirs."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import problems
from helpdesk.extensions import db
from helpdesk.models import REPLY, Message, OutboundEmail, Problem, User
from tests.api.conftest import token_for
from tests.factories import gen_incident, gen_service, gen_team, gen_user
from tests.problems.conftest import known_error

ROOT = "/api/v1/problems"


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def headers(agent: User) -> dict[str, str]:
    return token_for(agent)


def call(api: FlaskClient, method: str, url: str, headers: dict[str, str], **body: Any) -> Any:
    """Send a JSON request (or none without `body`) and return the response."""
    return api.open(url, method=method, headers=headers, json=body or None)


def test_open_read_and_list(api: FlaskClient, headers: dict[str, str], agent: User) -> None:
    gen_service("VPN"), gen_team("Network")
    incident = gen_incident(subject="VPN down")
    body = {
        "title": "VPN drops",
        "priority": 2,
        "owner_team": "network",
        "owner_agent": agent.email,
        "services": ["VPN"],
        "incidents": [incident.reference],
    }
    opened = call(api, "POST", ROOT, headers, **body)
    assert opened.status_code == 201, opened.json
    reference = opened.json["reference"]
    assert opened.headers["Location"] == f"{ROOT}/{reference}"
    read = call(api, "GET", f"{ROOT}/{reference.lower()}", headers).json
    assert (read["owner_team"], read["owner_agent"], read["services"]) == (
        "Network",
        agent.email,
        ["VPN"],
    )
    assert read["incidents"] == [
        {"reference": incident.reference, "subject": "VPN down", "status": "new"}
    ]
    listed = call(api, "GET", f"{ROOT}?status=new&q=vpn", headers).json
    assert [item["reference"] for item in listed["items"]] == [reference]
    assert listed["items"][0]["open_incidents"] == 1 and listed["next"] is None


def test_the_known_error_list_pages_and_searches(
    api: FlaskClient, headers: dict[str, str], agent: User
) -> None:
    for number in range(3):
        fields = problems.ProblemFields(title=f"VPN issue {number}")
        known_error(problems.open_problem(agent, fields), agent, "Use the TCP profile.")
    problems.open_problem(agent, problems.ProblemFields(title="VPN issue, not known"))
    first = call(api, "GET", f"{ROOT}?status=known_error&q=TCP+vpn&limit=2", headers).json
    assert len(first["items"]) == 2 and first["next"]
    second = call(api, "GET", first["next"], headers).json
    assert len(second["items"]) == 1 and second["next"] is None
    found = {item["title"] for item in first["items"] + second["items"]}
    assert found == {"VPN issue 0", "VPN issue 1", "VPN issue 2"}


def test_patch_changes_fields_status_and_change_at_once(
    api: FlaskClient, headers: dict[str, str], problem: Problem
) -> None:
    url = f"{ROOT}/{problem.reference}"
    changed = call(api, "PATCH", url, headers, workaround="Reconnect.", status="investigating")
    assert changed.status_code == 200, changed.json
    assert (changed.json["status"], changed.json["workaround"]) == ("investigating", "Reconnect.")
    refused = call(api, "PATCH", url, headers, title="VPN drops hourly", status="closed")
    assert refused.status_code == 422
    assert refused.json["detail"] == "A problem that is investigating cannot become closed."
    assert call(api, "GET", url, headers).json["title"] == "VPN drops every hour"  # all or nothing
    missing = call(api, "PATCH", url, headers, change="CHG-000404")
    assert (missing.status_code, missing.json["detail"]) == (422, "No change CHG-000404.")


def test_resolve_with_the_fix_and_its_incidents(
    api: FlaskClient, headers: dict[str, str], problem: Problem, agent: User
) -> None:
    chosen, left = gen_incident(), gen_incident()
    for incident in (chosen, left):
        problems.link_incident(problem, agent, incident)
    problems.move(problem, agent, "investigating")
    body = {"fix": "Firmware 9.1.", "incidents": [chosen.reference]}
    resolved = call(api, "POST", f"{ROOT}/{problem.reference}/resolve", headers, **body)
    assert resolved.status_code == 200, resolved.json
    assert (resolved.json["status"], resolved.json["fix"]) == ("resolved", "Firmware 9.1.")
    statuses = {item["reference"]: item["status"] for item in resolved.json["incidents"]}
    assert statuses == {chosen.reference: "resolved", left.reference: "new"}
    again = call(api, "POST", f"{ROOT}/{problem.reference}/resolve", headers, fix="Again.")
    assert again.status_code == 422


def test_link_unlink_and_send_the_workaround(
    api: FlaskClient, headers: dict[str, str], problem: Problem, agent: User
) -> None:
    known_error(problem, agent, "Use the TCP profile.")
    requester = gen_user("user")
    incident = gen_incident(requester)
    url = f"/api/v1/incidents/{incident.reference}/problem"
    linked = call(api, "POST", url, headers, problem=problem.reference)
    assert (
        linked.status_code == 200 and linked.json["incidents"][0]["reference"] == incident.reference
    )
    sent = call(api, "POST", url + "/workaround", headers)
    assert sent.status_code == 201, sent.json
    assert "Use the TCP profile." in sent.json["body"]
    reply = db.session.get(Message, sent.json["id"])
    assert reply is not None and reply.kind == REPLY
    mailed = db.session.scalars(select(OutboundEmail.recipient)).all()
    assert requester.email in mailed
    assert call(api, "DELETE", url, headers).status_code == 204
    assert call(api, "DELETE", url, headers).status_code == 422
    assert call(api, "POST", url, headers, problem="PRB-999999").status_code == 404


def test_end_users_are_refused(api: FlaskClient, problem: Problem, agent: User) -> None:
    requester = gen_user("user")
    own = token_for(requester)
    incident = gen_incident(requester)
    problems.link_incident(problem, agent, incident)
    assert call(api, "GET", ROOT, own).status_code == 403
    assert call(api, "GET", f"{ROOT}/{problem.reference}", own).status_code == 403
    assert call(api, "POST", ROOT, own, title="Mine").status_code == 403
    url = f"/api/v1/incidents/{incident.reference}/problem"
    assert call(api, "DELETE", url, own).status_code == 403
    stranger = token_for(gen_user("user"))
    assert call(api, "DELETE", url, stranger).status_code == 404
    assert incident.problem_id == problem.id
