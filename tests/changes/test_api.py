"""Changes through the API: create, mirror by external id (201 then 200, one change), read,
edit and move, the incidents a change caused, and marking an incident's cause."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Change
from tests.api.conftest import token_for
from tests.changes.helpers import gen_change
from tests.factories import gen_incident, gen_service, gen_user

CHANGE = {
    "title": "Upgrade the VPN concentrator",
    "services": ["vpn"],
    "planned_start": "2026-12-01T22:00:00+01:00",
    "planned_end": "2026-12-01T23:00:00Z",
}


@pytest.fixture
def agent(app, clock):
    gen_service("VPN")
    return gen_user("agent", email="sam@example.org")


@pytest.fixture
def headers(agent):
    return token_for(agent)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Change)) or 0


def test_create_read_and_list(client, headers, agent):
    answer = client.post(
        "/api/v1/changes", json=CHANGE | {"implementer": agent.email}, headers=headers
    )
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["reference"].startswith("CHG-") and body["status"] == "planned"
    assert body["planned_start"] == "2026-12-01T21:00:00Z" and body["services"] == ["VPN"]
    assert body["implementer"] == "sam@example.org"
    assert answer.headers["Location"].endswith(f"/api/v1/changes/{body['reference']}")
    assert client.get(f"/api/v1/changes/{body['reference'].lower()}", headers=headers).json == body
    listed = client.get("/api/v1/changes", query_string={"q": "concentrator"}, headers=headers)
    assert [item["reference"] for item in listed.json["items"]] == [body["reference"]]


def test_an_external_id_twice_is_one_change_created_then_updated(client, headers):
    mirrored = CHANGE | {"external_id": "CHG0030011"}
    first = client.post("/api/v1/changes", json=mirrored, headers=headers)
    assert first.status_code == 201
    again = client.post(
        "/api/v1/changes", json=mirrored | {"title": "VPN firmware 9.2"}, headers=headers
    )
    assert again.status_code == 200 and again.json["reference"] == first.json["reference"]
    assert again.json["title"] == "VPN firmware 9.2" and count() == 1
    done = mirrored | {"status": "completed", "actual_start": "2026-11-30T07:00:00Z"}
    finished = client.post("/api/v1/changes", json=done, headers=headers)
    assert finished.status_code == 200 and finished.json["status"] == "completed"
    assert finished.json["actual_end"] == "2026-11-30T09:00:00Z" and count() == 1


def test_refusals_are_problems_that_say_why(client, headers):
    backwards = CHANGE | {"planned_end": "2026-12-01T20:00:00Z"}
    answer = client.post("/api/v1/changes", json=backwards, headers=headers)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.json["detail"] == "The planned end must be after the planned start."
    unknown = client.post(
        "/api/v1/changes", json=CHANGE | {"services": ["Mainframe"]}, headers=headers
    )
    assert (
        unknown.status_code == 422 and "No service is called 'Mainframe'" in unknown.json["detail"]
    )
    status = client.post("/api/v1/changes", json=CHANGE | {"status": "completed"}, headers=headers)
    assert status.status_code == 422 and "external_id only" in status.json["detail"]
    ancient = CHANGE | {"planned_start": "0001-01-01T00:00:00+01:00"}
    assert client.post("/api/v1/changes", json=ancient, headers=headers).status_code == 422
    assert count() == 0
    assert client.get("/api/v1/changes/CHG-999999", headers=headers).status_code == 404


def test_edit_and_move(client, headers, agent, clock):
    change = gen_change(agent, gen_service("Mail"))
    url = f"/api/v1/changes/{change.reference}"
    edited = client.patch(
        url, json={"title": "Mail relay swap", "services": ["Mail", "VPN"]}, headers=headers
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["title"] == "Mail relay swap" and edited.json["services"] == ["Mail", "VPN"]
    started = client.patch(
        url, json={"status": "in_progress", "at": "2026-11-30T08:00:00Z"}, headers=headers
    )
    assert started.json["status"] == "in_progress"
    assert started.json["actual_start"] == "2026-11-30T08:00:00Z"
    refused = client.patch(url, json={"status": "cancelled", "title": "Changed?"}, headers=headers)
    assert (
        refused.status_code == 422
        and "it can move to completed or failed" in refused.json["detail"]
    )
    assert client.get(url, headers=headers).json["title"] == "Mail relay swap"  # all or nothing


def test_mark_the_cause_and_list_the_incidents_it_caused(client, headers, agent, clock):
    vpn = gen_service("Network")
    change = gen_change(agent, vpn, start=datetime(2026, 11, 30, 9) - timedelta(hours=2))
    incident = gen_incident(service_id=vpn.id)
    url = f"/api/v1/incidents/{incident.reference}/change"
    marked = client.post(url, json={"change": change.reference.lower()}, headers=headers)
    assert marked.status_code == 200 and marked.json["change"]["reference"] == change.reference
    caused = client.get(f"/api/v1/changes/{change.reference}/incidents", headers=headers)
    assert [item["reference"] for item in caused.json["items"]] == [incident.reference]
    missing = client.post(url, json={"change": "CHG-424242"}, headers=headers)
    assert missing.status_code == 422 and missing.json["detail"] == "There is no change CHG-424242."
    cleared = client.delete(url, headers=headers)
    assert cleared.status_code == 200 and cleared.json == {
        "incident": incident.reference,
        "change": None,
    }


def test_end_users_are_refused(client, agent, clock):
    change = gen_change(agent, gen_service())
    user = gen_user("user")
    incident = gen_incident(user)
    mine = token_for(user)
    assert client.get("/api/v1/changes", headers=mine).status_code == 403
    assert client.post("/api/v1/changes", json=CHANGE, headers=mine).status_code == 403
    assert client.get(f"/api/v1/changes/{change.reference}", headers=mine).status_code == 403
    url = f"/api/v1/incidents/{incident.reference}/change"
    assert client.post(url, json={"change": change.reference}, headers=mine).status_code == 403
    stranger = token_for(gen_user("user"))
    assert client.post(url, json={"change": change.reference}, headers=stranger).status_code == 404
    assert incident.caused_by_change_id is None


def test_a_body_that_is_not_json_is_refused(client, headers):
    answer = client.post("/api/v1/changes", data={"title": "Form"}, headers=headers)
    assert answer.status_code == 415 and answer.json["code"] == "unsupported_media_type"
    assert count() == 0
