"""Every workbench action through the test client: the database changes as the agent expects,
the audit trail records it, and a refused action shows the service layer's message."""

import io
import re

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Attachment, AuditEvent, IncidentLink, Message, OutboundEmail
from helpdesk.models.audit import INCIDENT
from tests.conftest import make_app
from tests.factories import PASSWORD, gen_category, gen_incident, gen_service, gen_team, gen_user


@pytest.fixture
def desk(app, client, auth):
    """A signed-in service desk agent, a network specialist, and a fresh incident."""
    agent = gen_user("agent", name="Sam Desk")
    specialist = gen_user("agent", name="Nia Net")
    service_desk = gen_team("Service Desk", [agent], service_desk=True)
    network = gen_team("Network", [specialist])
    requester = gen_user(name="Rita Requester")
    incident = gen_incident(requester, subject="Cannot print")
    auth.login(agent.email)
    return agent, specialist, service_desk, network, incident


def url(incident, action):
    """The URL of an action on an incident."""
    return f"/agent/incidents/{incident.reference}/{action}"


def actions(incident):
    """The audit actions recorded on an incident, oldest first."""
    rows = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.about(INCIDENT, incident.id))
        .order_by(AuditEvent.id)
    )
    return list(rows)


def refused(response, message):
    """A refused action shows the workbench again with the service's sentence."""
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_public_reply_is_stored_audited_and_emailed(client, desk):
    _, _, _, _, incident = desk
    before = db.session.query(OutboundEmail).count()
    response = client.post(
        url(incident, "reply"),
        data={
            "reply-body": "Please restart the printer.",
            "reply-attachments": (io.BytesIO(b"steps"), "steps.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agent/incidents/{incident.reference}")
    message = db.session.scalars(
        select(Message).where(Message.body == "Please restart the printer.")
    ).one()
    assert (message.kind, message.channel) == ("reply", "agent")
    assert [a.filename for a in message.attachments] == ["steps.txt"]
    assert incident.first_response_at is not None
    assert "replied" in actions(incident)
    assert db.session.query(OutboundEmail).count() == before + 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your reply was sent to the requester." in page
    assert "steps.txt" in page


def test_empty_reply_is_refused_with_the_services_message(client, desk):
    *_, incident = desk
    refused(
        client.post(url(incident, "reply"), data={"reply-body": "  "}),
        "The message cannot be empty.",
    )
    assert actions(incident) == ["opened"]


def test_internal_note_is_not_emailed(client, desk):
    *_, incident = desk
    before = db.session.query(OutboundEmail).count()
    response = client.post(
        url(incident, "note"),
        data={"note-body": "Toner is on order.", "note-attachments": (io.BytesIO(b"PO"), "po.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    note = db.session.scalars(select(Message).where(Message.kind == "note")).one()
    assert note.body == "Toner is on order."
    assert db.session.scalars(select(Attachment.filename)).all() == ["po.pdf"]
    assert "noted" in actions(incident)
    assert db.session.query(OutboundEmail).count() == before


def test_assign_to_team_and_member(client, desk):
    _, specialist, service_desk, network, incident = desk
    response = client.post(
        url(incident, "assign"), data={"assign-team": network.id, "assign-agent": specialist.id}
    )
    assert response.status_code == 302
    assert (incident.assigned_team, incident.assigned_agent) == (network, specialist)
    assert incident.status == "assigned"
    assert incident.owner_team == service_desk
    assert "assigned" in actions(incident)
    assert "Assigned to Network / Nia Net." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_assigning_an_agent_outside_the_team_is_refused(client, desk):
    _, specialist, service_desk, _, incident = desk
    response = client.post(
        url(incident, "assign"),
        data={"assign-team": service_desk.id, "assign-agent": specialist.id},
    )
    refused(response, "Nia Net is not a member of Service Desk.")
    db.session.refresh(incident)
    assert incident.assigned_agent is None
    assert incident.status == "new"


def test_take_ownership(client, desk):
    agent, *_, incident = desk
    assert client.post(url(incident, "take-ownership")).status_code == 302
    assert incident.owner_agent == agent
    assert "took_ownership" in actions(incident)


def test_classify_recomputes_priority(client, desk):
    *_, incident = desk
    hardware, printing = gen_category("Hardware"), gen_service("Printing")
    response = client.post(
        url(incident, "classify"),
        data={
            "classify-impact": "high",
            "classify-urgency": "high",
            "classify-category": hardware.id,
            "classify-service": printing.id,
        },
    )
    assert response.status_code == 302
    assert (incident.priority, incident.category, incident.service) == (1, hardware, printing)
    assert "classified" in actions(incident)
    assert "Priority is P1 critical." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_priority_override_needs_a_reason(client, desk):
    *_, incident = desk
    data = {"classify-impact": "low", "classify-urgency": "low", "classify-priority": "2"}
    refused(
        client.post(url(incident, "classify"), data=data),
        "A reason for overriding the priority cannot be empty.",
    )
    assert incident.priority == 4
    data["classify-reason"] = "Board meeting in an hour"
    assert client.post(url(incident, "classify"), data=data).status_code == 302
    assert (incident.priority, incident.priority_override_reason) == (2, "Board meeting in an hour")


def test_retired_category_is_refused(client, desk):
    *_, incident = desk
    retired = gen_category("Fax", active=False)
    data = {"classify-impact": "low", "classify-urgency": "low", "classify-category": retired.id}
    refused(client.post(url(incident, "classify"), data=data), "is retired")


def test_change_status_and_hold_with_reason(client, desk):
    *_, incident = desk
    response = client.post(url(incident, "status"), data={"status-target": "in_progress"})
    assert response.status_code == 302
    assert incident.status == "in_progress"
    refused(
        client.post(url(incident, "status"), data={"status-target": "on_hold"}),
        "Choose why the incident is on hold.",
    )
    assert incident.status == "in_progress"
    data = {"status-target": "on_hold", "status-hold_reason": "awaiting_vendor"}
    assert client.post(url(incident, "status"), data=data).status_code == 302
    assert (incident.status, incident.on_hold_reason) == ("on_hold", "awaiting_vendor")
    assert actions(incident).count("status_changed") == 2


def test_disallowed_transition_is_refused(client, desk):
    *_, incident = desk
    refused(
        client.post(url(incident, "status"), data={"status-target": "closed"}),
        "An incident that is new cannot become closed.",
    )


def test_resolve(client, desk):
    *_, incident = desk
    data = {"resolve-code": "fixed", "resolve-notes": "Cleared the jam.", "resolve-workaround": ""}
    assert client.post(url(incident, "resolve"), data=data).status_code == 302
    assert (incident.status, incident.resolution_code) == ("resolved", "fixed")
    assert incident.resolution_notes == "Cleared the jam."
    assert "resolved" in actions(incident)


def test_resolve_without_code_keeps_the_notes_typed(client, desk):
    *_, incident = desk
    response = client.post(
        url(incident, "resolve"), data={"resolve-code": "", "resolve-notes": "Cleared the jam."}
    )
    refused(response, "Choose a resolution code.")
    assert "Cleared the jam." in response.get_data(as_text=True)
    db.session.refresh(incident)
    assert (incident.status, incident.resolution_notes) == ("new", None)


def test_cancel_needs_a_reason(client, desk):
    *_, incident = desk
    refused(
        client.post(url(incident, "cancel"), data={"cancel-reason": ""}),
        "The reason cannot be empty.",
    )
    assert client.post(url(incident, "cancel"), data={"cancel-reason": "Spam"}).status_code == 302
    assert incident.status == "cancelled"
    assert actions(incident)[-2:] == ["cancelled", "cancel_reason"]


def test_link_by_reference_in_any_case_and_unlink(client, desk):
    *_, incident = desk
    other = gen_incident(subject="Printer in room 3 too")
    response = client.post(url(incident, "links"), data={"link-reference": other.reference.lower()})
    assert response.status_code == 302
    assert db.session.query(IncidentLink).count() == 1
    assert incidents.related(incident) == [other]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Linked to {other.reference}." in page
    assert "Printer in room 3 too" in page
    response = client.post(url(incident, f"links/{other.reference}/delete"))
    assert response.status_code == 302
    assert db.session.query(IncidentLink).count() == 0
    assert actions(incident)[-2:] == ["linked", "unlinked"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("INC-999999", "There is no incident INC-999999."),
        ("", "Enter an incident reference, like INC-000123."),
        ("SELF", "An incident cannot be linked to itself."),
    ],
)
def test_bad_links_are_refused(client, desk, typed, message):
    *_, incident = desk
    typed = incident.reference if typed == "SELF" else typed
    refused(client.post(url(incident, "links"), data={"link-reference": typed}), message)
    assert db.session.query(IncidentLink).count() == 0


def test_merge_duplicate_into_another(client, desk):
    agent, *_, incident = desk
    target = gen_incident(subject="Printing broken for everyone")
    incidents.add_note(incident, agent, "Same as the big one.")
    response = client.post(url(incident, "merge"), data={"merge-reference": target.reference})
    assert response.status_code == 302
    assert incident.merged_into == target
    assert incident.status == "closed"
    assert incident.requester in target.participants
    moved = db.session.scalars(select(Message).where(Message.body == "Same as the big one.")).one()
    assert moved.incident_id == target.id
    assert "merged_into" in actions(incident)
    assert "merged_in" in actions(target)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This incident was merged into" in page
    assert f'href="/agent/incidents/{target.reference}"' in page


def test_merge_into_itself_is_refused(client, desk):
    *_, incident = desk
    refused(
        client.post(url(incident, "merge"), data={"merge-reference": incident.reference}),
        "An incident cannot be merged into itself.",
    )
    assert incident.merged_into_id is None


def test_actions_on_an_unknown_incident_are_404(client, desk):
    assert (
        client.post("/agent/incidents/INC-424242/note", data={"note-body": "x"}).status_code == 404
    )


def test_workbench_forms_carry_working_csrf_tokens(tmp_path):
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        agent = gen_user("agent")
        incident = gen_incident()
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        client.post(
            "/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token}
        )
        page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
        reply_token = re.search(r'name="reply-csrf_token" type="hidden" value="([^"]+)"', page)
        response = client.post(
            url(incident, "reply"),
            data={"reply-body": "Hi", "reply-csrf_token": reply_token.group(1)},
        )
        assert response.status_code == 302
        button_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(url(incident, "take-ownership"), data={"csrf_token": button_token})
        assert response.status_code == 302
        assert client.post(url(incident, "take-ownership")).status_code == 400
        assert incident.owner_agent_id == agent.id


def test_agent_marks_a_strangers_mail_as_reviewed(client, auth):
    agent, stranger = gen_user("agent"), gen_user()
    incident = gen_incident()
    reason = "Not trusted as agent mail: dmarc=fail for example.org (mx.example.org)."
    flagged = incidents.add_flagged_note(incident, stranger, "Same here", reason=reason)
    auth.login(agent.email)
    page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    assert "Needs review" in page and "Mark reviewed" in page
    assert reason in page  # why it was flagged
    url = f"/agent/incidents/{incident.reference}/messages/{flagged.id}/reviewed"
    response = client.post(url, follow_redirects=True)
    assert "Marked as reviewed" in response.get_data(as_text=True)
    assert db.session.get(Message, flagged.id).needs_review is False
    assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "mail_reviewed"
    again = client.post(url, follow_redirects=True)
    assert "not waiting for review" in again.get_data(as_text=True)


def test_users_cannot_mark_mail_reviewed(client, auth):
    requester, stranger = gen_user(), gen_user()
    incident = gen_incident(requester)
    flagged = incidents.add_flagged_note(incident, stranger, "hello")
    auth.login(requester.email)
    url = f"/agent/incidents/{incident.reference}/messages/{flagged.id}/reviewed"
    assert client.post(url).status_code == 403
