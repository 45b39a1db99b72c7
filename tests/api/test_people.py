"""People through the API: agents look people up and create requesters; requesters may not."""

from __future__ import annotations

from flask.testing import FlaskClient

from helpdesk import accounts
from tests.api.conftest import Caller
from tests.factories import gen_user

PROBLEM = "application/problem+json"


def test_an_agent_finds_a_person_by_address_in_any_letter_case(api: FlaskClient, agent: Caller):
    ann = gen_user("user", name="Ann Lee", email="ann.lee@example.org")
    found = api.get("/api/v1/people?email=%20Ann.Lee@EXAMPLE.org", headers=agent.headers)
    assert found.status_code == 200
    assert found.json["items"] == [
        {
            "id": ann.id,
            "email": "ann.lee@example.org",
            "name": "Ann Lee",
            "role": "user",
            "active": True,
        }
    ]
    nobody = api.get("/api/v1/people?email=bob@example.org", headers=agent.headers)
    assert nobody.json["items"] == []


def test_search_finds_active_people_by_words_of_name_or_address(api: FlaskClient, agent: Caller):
    gen_user("user", name="Ann Lee", email="ann@example.org")
    gone = gen_user("user", name="Ann Old", email="ann.old@example.org")
    accounts.update_user(gone.id, gone.name, "user", False, gen_user("admin"))
    gen_user("user", name="Bob Stone", email="bob@example.org")
    found = api.get("/api/v1/people?q=ann", headers=agent.headers).json["items"]
    assert [person["name"] for person in found] == ["Ann Lee"]
    blanks = api.get("/api/v1/people?q=%20%20%20", headers=agent.headers).json["items"]
    assert blanks == []


def test_what_a_person_shows_holds_no_secret(api: FlaskClient, agent: Caller):
    person = gen_user("user")
    seen = api.get(f"/api/v1/people/{person.id}", headers=agent.headers).json
    assert set(seen) == {"id", "email", "name", "role", "active"}
    missing = api.get("/api/v1/people/99999999", headers=agent.headers)
    assert missing.status_code == 404 and missing.mimetype == PROBLEM


def test_a_created_requester_can_then_be_found(api: FlaskClient, agent: Caller):
    created = api.post(
        "/api/v1/people",
        json={"email": "New.Person@Example.org", "name": "New Person"},
        headers=agent.headers,
    )
    assert created.status_code == 201
    assert created.json["email"] == "new.person@example.org"
    assert created.json["role"] == "user"
    assert created.headers["Location"] == f"/api/v1/people/{created.json['id']}"
    found = api.get("/api/v1/people?email=new.person@example.org", headers=agent.headers)
    assert [person["id"] for person in found.json["items"]] == [created.json["id"]]
    assert accounts.find_by_email("new.person@example.org").password_hash is None


def test_creating_a_known_address_answers_with_that_person_unchanged(
    api: FlaskClient, agent: Caller
):
    known = gen_user("agent", name="Kim Agent", email="kim@example.org")
    again = api.post(
        "/api/v1/people",
        json={"email": "KIM@example.org", "name": "Someone Else"},
        headers=agent.headers,
    )
    assert again.status_code == 200
    assert again.json == {
        "id": known.id,
        "email": "kim@example.org",
        "name": "Kim Agent",
        "role": "agent",
        "active": True,
    }


def test_a_bad_address_is_refused_with_the_reason(api: FlaskClient, agent: Caller):
    for url, request in (
        ("/api/v1/people", {"json": {"email": "not an address"}}),
        ("/api/v1/people?email=not%20an%20address", {}),
    ):
        method = api.post if "json" in request else api.get
        refused = method(url, headers=agent.headers, **request)
        assert refused.status_code == 422 and refused.mimetype == PROBLEM
        assert "valid email address" in refused.json["detail"]
    neither = api.get("/api/v1/people", headers=agent.headers)
    assert neither.status_code == 422 and "email" in neither.json["detail"]
    missing = api.post("/api/v1/people", json={"name": "No Address"}, headers=agent.headers)
    assert missing.status_code == 422
    assert missing.json["errors"][0]["location"][-1] == "email"


def test_requesters_may_not_look_people_up_or_create_them(api: FlaskClient, requester: Caller):
    other = gen_user("user", email="other@example.org")
    for response in (
        api.get("/api/v1/people?email=other@example.org", headers=requester.headers),
        api.get(f"/api/v1/people/{other.id}", headers=requester.headers),
        api.post("/api/v1/people", json={"email": "x@example.org"}, headers=requester.headers),
    ):
        assert response.status_code == 403 and response.json["code"] == "not_allowed"
    assert accounts.find_by_email("x@example.org") is None


def test_a_retried_create_with_its_key_answers_the_first_answer_again(
    api: FlaskClient, agent: Caller
):
    headers = {**agent.headers, "Idempotency-Key": "new-person-1"}
    request = {"email": "retry@example.org", "name": "Retry Person"}
    first = api.post("/api/v1/people", json=request, headers=headers)
    again = api.post("/api/v1/people", json=request, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = api.post("/api/v1/people", json={"email": "other@example.org"}, headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    assert accounts.find_by_email("other@example.org") is None
