"""Changing an incident through the API: each operation by the role the web lets do it, the
refusal the web gives the others, bad input as a clear problem, and the change where a user
notices it (the incident read back, the mail queued, the audit trail)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import incidents, lifecycle
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, OutboundEmail
from helpdesk.models.audit import INCIDENT
from tests.api.conftest import Caller
from tests.factories import gen_category, gen_incident, gen_service, gen_team, gen_user

PROBLEM = "application/problem+json"


def act(api: FlaskClient, who: Caller, incident: Incident, path: str, **body: Any) -> Any:
    """POST to an operation on `incident` as `who`, with `body` as JSON."""
    url = f"/api/v1/incidents/{incident.reference}/{path}"
    return api.post(url, headers=who.headers, json=body)


def read(api: FlaskClient, who: Caller, incident: Incident) -> dict[str, Any]:
    """The incident as `who` reads it back through the API."""
    return api.get(f"/api/v1/incidents/{incident.reference}", headers=who.headers).json


def trail(incident: Incident) -> list[str]:
    """The audit trail's actions on the incident, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.about(INCIDENT, incident.id))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def mail_to(address: str) -> list[OutboundEmail]:
    """The mail queued for `address`."""
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.recipient == address)))


def refused(response: Any, status: int, code: str, words: str) -> None:
    """A problem with `status`, `code` and `words` in its detail."""
    assert response.status_code == status, response.json
    assert response.mimetype == PROBLEM
    assert response.json["code"] == code
    assert words in response.json["detail"]


def resolved(incident: Incident, agent: Caller) -> Incident:
    """The incident resolved by `agent` through the service layer."""
    incidents.resolve(incident, agent.user, "fixed", "Replaced the toner.")
    return incident


# --- Replies and notes -------------------------------------------------------------------


def test_an_agents_reply_reaches_the_requester_by_mail(api, requester, agent):
    incident = gen_incident(requester.user, subject="Printer jams")
    before = len(mail_to(requester.user.email))
    answer = act(api, agent, incident, "replies", body="Which printer is it?")
    assert answer.status_code == 201
    assert answer.json["kind"] == "reply" and answer.json["body"] == "Which printer is it?"
    assert answer.json["author"] == agent.user.name
    assert answer.headers["Location"].endswith(f"/api/v1/incidents/{incident.reference}")
    seen = [m["body"] for m in read(api, requester, incident)["messages"]]
    assert "Which printer is it?" in seen
    assert len(mail_to(requester.user.email)) == before + 1
    assert "replied" in trail(incident)


def test_a_requesters_reply_reopens_their_resolved_incident(api, requester, agent):
    incident = resolved(gen_incident(requester.user), agent)
    answer = act(api, requester, incident, "replies", body="It jams again.")
    assert answer.status_code == 201
    assert read(api, requester, incident)["status"] == lifecycle.IN_PROGRESS


def test_an_empty_reply_is_refused_with_the_reason(api, requester):
    incident = gen_incident(requester.user)
    refused(act(api, requester, incident, "replies", body="   "), 422, "invalid_input", "empty")
    missing = act(api, requester, incident, "replies")
    assert missing.status_code == 422 and missing.json["errors"][0]["location"] == ["body"]


def test_a_reply_sent_twice_with_one_key_is_added_once(api, requester):
    incident = gen_incident(requester.user)
    url = f"/api/v1/incidents/{incident.reference}/replies"
    headers = {**requester.headers, "Idempotency-Key": "reply-1"}
    first = api.post(url, headers=headers, json={"body": "Any news?"})
    again = api.post(url, headers=headers, json={"body": "Any news?"})
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    bodies = [m["body"] for m in read(api, requester, incident)["messages"]]
    assert bodies.count("Any news?") == 1


def test_notes_are_for_agents_and_only_agents_read_them(api, requester, agent):
    incident = gen_incident(requester.user)
    answer = act(api, agent, incident, "notes", body="Known toner fault.")
    assert answer.status_code == 201 and answer.json["kind"] == "note"
    assert "Known toner fault." not in [
        m["body"] for m in read(api, requester, incident)["messages"]
    ]
    assert "Known toner fault." in [m["body"] for m in read(api, agent, incident)["messages"]]
    refused(act(api, requester, incident, "notes", body="Hi"), 403, "not_allowed", "Only agents")


def test_someone_elses_incident_is_not_found_for_every_operation(api, requester):
    other = gen_incident(gen_user("user"))
    for path, body in [
        ("replies", {"body": "Hello"}),
        ("actions/cancel", {"reason": "Mine now"}),
        ("actions/confirm", {}),
        ("actions/reject", {"comment": "No"}),
        ("actions/take", {}),
    ]:
        refused(act(api, requester, other, path, **body), 404, "not_found", other.reference)


def test_a_body_sent_as_a_form_is_refused_as_the_wrong_media_type(api, agent):
    incident = gen_incident(gen_user("user"))
    url = f"/api/v1/incidents/{incident.reference}/notes"
    answer = api.post(url, headers=agent.headers, data={"body": "As a form"})
    refused(answer, 415, "unsupported_media_type", "application/json")


# --- Classification, assignment, escalation, ownership -----------------------------------


def test_an_agent_classifies_by_names_and_the_priority_follows(api, requester, agent):
    gen_category("Printing"), gen_service("Print service")
    incident = gen_incident(requester.user)
    answer = act(
        api,
        agent,
        incident,
        "classification",
        category="printing",
        service="Print service",
        impact="high",
        urgency="high",
    )
    assert answer.status_code == 200
    assert answer.json["category"] == "Printing" and answer.json["service"] == "Print service"
    assert answer.json["priority"] == 1
    assert "classified" in trail(incident)


def test_a_classification_is_refused_with_what_is_wrong(api, requester, agent):
    gen_category("Printing")
    incident = gen_incident(requester.user)
    unknown = act(
        api, agent, incident, "classification", category="Plumbing", impact="low", urgency="low"
    )
    refused(unknown, 422, "invalid_input", "Printing")
    override = act(api, agent, incident, "classification", impact="low", urgency="low", priority=1)
    refused(override, 422, "invalid_input", "reason")
    level = act(api, agent, incident, "classification", impact="huge", urgency="low")
    assert level.status_code == 422 and level.json["errors"][0]["location"] == ["impact"]
    by_user = act(api, requester, incident, "classification", impact="low", urgency="low")
    refused(by_user, 403, "not_allowed", "Only agents")


def test_an_agent_assigns_to_a_team_and_one_of_its_agents(api, requester, agent):
    specialist = gen_user("agent", name="Nia Net")
    gen_team("Network", [specialist])
    incident = gen_incident(requester.user)
    answer = act(api, agent, incident, "assignment", team="Network", agent=specialist.email)
    assert answer.status_code == 200
    assert answer.json["assigned_team"] == "Network" and answer.json["assigned_agent"] == "Nia Net"
    assert answer.json["status"] == lifecycle.ASSIGNED
    assert "assigned" in trail(incident)


def test_an_assignment_is_refused_with_what_is_wrong(api, requester, agent):
    gen_team("Network")
    incident = gen_incident(requester.user)
    refused(
        act(api, agent, incident, "assignment", team="Plumbing"), 422, "invalid_input", "Network"
    )
    outsider = act(api, agent, incident, "assignment", team="Network", agent=agent.user.email)
    refused(outsider, 422, "invalid_input", "not a member of Network")
    refused(
        act(api, agent, incident, "assignment", agent="nobody@example.org"),
        422,
        "invalid_input",
        "nobody@example.org",
    )
    refused(
        act(api, requester, incident, "assignment", team="Network"),
        403,
        "not_allowed",
        "Only agents",
    )


# Agents' work naming what a requester should not learn about (teams, accounts).
NAMING = {
    "assignment": {"team": "Nope", "agent": "who@example.org"},
    "actions/escalate": {"team": "Nope", "reason": "Why not"},
    "classification": {"category": "Nope", "impact": "low", "urgency": "low"},
}


@pytest.mark.parametrize("path", NAMING)
def test_a_requester_learns_no_names_from_a_refusal(api, requester, path):
    gen_team("Secret ops")
    incident = gen_incident(requester.user)
    answer = act(api, requester, incident, path, **NAMING[path])
    refused(answer, 403, "not_allowed", "Only agents")
    assert "Secret ops" not in answer.json["detail"]


def test_an_agent_escalates_to_the_teams_escalation_team(api, requester, agent):
    second = gen_team("Second line")
    first = gen_team("First line")
    first.escalation_team = second
    db.session.commit()
    incident = gen_incident(requester.user)
    act(api, agent, incident, "assignment", team="First line")
    answer = act(api, agent, incident, "actions/escalate", reason="Needs a specialist.")
    assert answer.status_code == 200 and answer.json["assigned_team"] == "Second line"
    assert "escalated" in trail(incident)
    again = act(api, agent, incident, "actions/escalate", reason=" ", team="Second line")
    refused(again, 422, "invalid_input", "reason")


def test_an_agent_takes_ownership_and_a_requester_cannot(api, requester, agent):
    incident = gen_incident(requester.user)
    taken = act(api, agent, incident, "actions/take")
    assert taken.status_code == 200 and taken.json["owner_agent"] == agent.user.name
    db.session.refresh(incident)
    assert incident.owner_agent_id == agent.user.id and "took_ownership" in trail(incident)
    refused(act(api, requester, incident, "actions/take"), 403, "not_allowed", "Only agents")


# --- The lifecycle -----------------------------------------------------------------------


def test_hold_with_a_note_then_resume(api, requester, agent):
    incident = gen_incident(requester.user)
    held = act(api, agent, incident, "actions/hold", reason="awaiting_vendor", note="Case 42.")
    assert held.status_code == 200 and held.json["status"] == lifecycle.ON_HOLD
    assert "Case 42." in [m["body"] for m in held.json["messages"]]
    resumed = act(api, agent, incident, "actions/resume")
    assert resumed.status_code == 200 and resumed.json["status"] == lifecycle.IN_PROGRESS
    refused(act(api, agent, incident, "actions/resume"), 422, "invalid_input", "not on hold")


def test_hold_needs_one_of_the_consoles_reasons(api, requester, agent):
    incident = gen_incident(requester.user)
    answer = act(api, agent, incident, "actions/hold", reason="lunch")
    assert answer.status_code == 422 and answer.json["errors"][0]["location"] == ["reason"]
    refused(
        act(api, requester, incident, "actions/hold", reason="scheduled"),
        403,
        "not_allowed",
        "Only agents",
    )
    refused(act(api, requester, incident, "actions/resume"), 403, "not_allowed", "Only agents")


def test_resolve_tells_the_requester_and_waits_for_them(api, requester, agent):
    incident = gen_incident(requester.user)
    before = len(mail_to(requester.user.email))
    answer = act(api, agent, incident, "actions/resolve", code="fixed", notes="New toner.")
    assert answer.status_code == 200 and answer.json["status"] == lifecycle.RESOLVED
    assert answer.json["resolved_at"].endswith("Z")
    assert len(mail_to(requester.user.email)) == before + 1
    assert "resolved" in trail(incident)


def test_resolve_is_refused_without_a_code_or_notes_and_to_requesters(api, requester, agent):
    incident = gen_incident(requester.user)
    code = act(api, agent, incident, "actions/resolve", code="self_service", notes="Done.")
    assert code.status_code == 422 and code.json["errors"][0]["location"] == ["code"]
    refused(
        act(api, agent, incident, "actions/resolve", code="fixed", notes=" "),
        422,
        "invalid_input",
        "Resolution notes",
    )
    refused(
        act(api, requester, incident, "actions/resolve", code="fixed", notes="Done."),
        403,
        "not_allowed",
        "Only agents",
    )


def test_an_agent_reopens_with_a_reason_or_closes_a_resolution(api, requester, agent):
    incident = resolved(gen_incident(requester.user), agent)
    reopened = act(api, agent, incident, "actions/reopen", reason="The fix did not hold.")
    assert reopened.status_code == 200 and reopened.json["status"] == lifecycle.IN_PROGRESS
    assert "The fix did not hold." in [m["body"] for m in reopened.json["messages"]]
    refused(act(api, agent, incident, "actions/reopen"), 422, "invalid_input", "resolved")
    refused(act(api, agent, incident, "actions/close"), 422, "invalid_input", "cannot become")
    resolved(incident, agent)
    closed = act(api, agent, incident, "actions/close")
    assert closed.status_code == 200 and closed.json["closed_at"] is not None


def test_an_agent_cancels_with_a_reason(api, requester, agent):
    incident = gen_incident(requester.user)
    refused(act(api, agent, incident, "actions/cancel"), 422, "invalid_input", "reason")
    answer = act(api, agent, incident, "actions/cancel", reason="Raised in error.")
    assert answer.status_code == 200 and answer.json["status"] == lifecycle.CANCELLED
    assert "cancel_reason" in trail(incident)


def test_a_requester_cancelling_withdraws_their_own_incident(api, requester):
    incident = gen_incident(requester.user)
    answer = act(api, requester, incident, "actions/cancel")
    assert answer.status_code == 200 and answer.json["status"] == lifecycle.CANCELLED
    assert "withdrawn" in trail(incident)
    refused(act(api, requester, incident, "actions/cancel"), 422, "invalid_input", "no longer open")


def test_someone_copied_on_an_incident_cannot_withdraw_it(api, requester, agent):
    incident = gen_incident(gen_user("user"))
    incidents.add_participant(incident, agent.user, requester.user)
    refused(act(api, requester, incident, "actions/cancel"), 403, "not_allowed", "reported")


def test_the_requester_confirms_a_resolution_and_an_agent_cannot(api, requester, agent):
    incident = gen_incident(requester.user)
    refused(
        act(api, requester, incident, "actions/confirm"),
        422,
        "invalid_input",
        "not waiting for your confirmation",
    )
    resolved(incident, agent)
    refused(act(api, agent, incident, "actions/confirm"), 403, "not_allowed", "people on this")
    answer = act(api, requester, incident, "actions/confirm")
    assert answer.status_code == 200 and answer.json["status"] == lifecycle.CLOSED
    assert "confirmed" in trail(incident)


def test_the_requester_rejects_a_resolution_saying_what_is_wrong(api, requester, agent):
    incident = resolved(gen_incident(requester.user), agent)
    refused(
        act(api, requester, incident, "actions/reject", comment=" "),
        422,
        "invalid_input",
        "still wrong",
    )
    answer = act(api, requester, incident, "actions/reject", comment="Still jams on page 2.")
    assert answer.status_code == 200 and answer.json["status"] == lifecycle.IN_PROGRESS
    assert answer.json["messages"][-1]["body"] == "Still jams on page 2."
    assert lifecycle.REJECTED_RESOLUTION in trail(incident)


@pytest.mark.parametrize("path", ["actions/close", "actions/reopen", "actions/escalate"])
def test_a_requester_gets_the_consoles_refusal_for_agents_work(api, requester, agent, path):
    incident = resolved(gen_incident(requester.user), agent)
    answer = act(api, requester, incident, path, reason="Because.")
    refused(answer, 403, "not_allowed", "Only agents")
