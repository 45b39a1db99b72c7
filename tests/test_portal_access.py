"""Who sees what in the portal: strangers get 404, participants get in, notes stay internal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident, Message
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_incident, gen_user


@pytest.fixture
def owner(app):
    """The requester of the incident under test."""
    return gen_user(name="Olga Owner")


@pytest.fixture
def incident(owner):
    """A resolved incident, so that every requester action would be possible."""
    incident = gen_incident(owner, subject="Payroll export fails")
    incidents.resolve(incident, gen_user("agent"), "fixed", "Patched the exporter.")
    return incident


@pytest.fixture
def stranger(auth):
    """Another end user, signed in, who is not on the incident."""
    user = gen_user()
    auth.login(user.email)
    return user


def snapshot(incident: Incident) -> tuple[object, ...]:
    """Everything a requester action could change, read fresh from the database."""
    db.session.expire_all()
    fresh = db.session.get(Incident, incident.id)
    count = db.session.scalar
    return (
        fresh.status,
        fresh.satisfaction_rating,
        fresh.last_activity_at,
        count(select(func.count(Message.id)).where(Message.incident_id == incident.id)),
        count(select(func.count(AuditEvent.id)).where(AuditEvent.about(INCIDENT, incident.id))),
    )


# --- Someone else's incident: one test per route ----------------------------------------


def test_stranger_gets_404_on_the_incident_page(client, incident, stranger):
    response = client.get(f"/my/incidents/{incident.reference}")
    assert response.status_code == 404
    assert "Payroll export fails" not in response.text


def test_stranger_does_not_see_it_in_the_list(client, incident, stranger):
    page = client.get("/my/incidents").get_data(as_text=True)
    assert incident.reference not in page
    assert "Waiting for your confirmation" not in page


def test_stranger_gets_404_on_reply(client, incident, stranger):
    before = snapshot(incident)
    response = client.post(f"/my/incidents/{incident.reference}/reply", data={"body": "Hi"})
    assert response.status_code == 404
    assert snapshot(incident) == before


def test_stranger_gets_404_on_confirm(client, incident, stranger):
    before = snapshot(incident)
    assert client.post(f"/my/incidents/{incident.reference}/confirm").status_code == 404
    assert snapshot(incident) == before


def test_stranger_gets_404_on_reject(client, incident, stranger):
    before = snapshot(incident)
    response = client.post(
        f"/my/incidents/{incident.reference}/reject", data={"explanation": "Broken"}
    )
    assert response.status_code == 404
    assert snapshot(incident) == before


def test_stranger_gets_404_on_rate(client, incident, stranger):
    before = snapshot(incident)
    response = client.post(f"/my/incidents/{incident.reference}/rate", data={"rating": "1"})
    assert response.status_code == 404
    assert snapshot(incident) == before


# --- Participants -----------------------------------------------------------------------


def test_participant_sees_and_replies(client, auth, incident):
    colleague = gen_user(name="Carl Colleague")
    incident.participants.append(colleague)
    db.session.commit()
    auth.login(colleague.email)
    url = f"/my/incidents/{incident.reference}"

    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/reply", data={"body": "Mine fails too."})

    assert "Payroll export fails" in page and "Olga Owner" in page
    assert incident.reference in client.get("/my/incidents").text
    assert response.status_code == 302
    latest = db.session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert (latest.author_id, latest.body) == (colleague.id, "Mine fails too.")


# --- Internal notes ---------------------------------------------------------------------


def test_internal_notes_and_their_files_never_reach_the_portal(client, auth, owner):
    incident = gen_incident(owner)
    note = incidents.add_note(
        incident,
        gen_user("agent"),
        "Vendor ticket 7781, do not tell the user yet.",
        attachments=[incidents.NewAttachment("vendor.txt", "text/plain", b"internal")],
    )
    auth.login(owner.email)

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    download = client.get(f"/attachments/{note.attachments[0].id}/vendor.txt")

    assert "Vendor ticket 7781" not in page and "vendor.txt" not in page
    assert download.status_code == 404


def test_agent_visiting_the_portal_page_sees_it_without_requester_actions(client, auth, incident):
    agent = gen_user("agent")
    auth.login(agent.email)
    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    assert "Payroll export fails" in page
    assert "Is it fixed?" not in page and "Your rating" not in page


# --- Anonymous visitors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/my/incidents"),
        ("get", "/my/incidents/new"),
        ("post", "/my/incidents/new"),
        ("get", "/my/incidents/{ref}"),
        ("post", "/my/incidents/{ref}/reply"),
        ("post", "/my/incidents/{ref}/confirm"),
        ("post", "/my/incidents/{ref}/reject"),
        ("post", "/my/incidents/{ref}/rate"),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, incident, method, path):
    before = snapshot(incident)
    response = getattr(client, method)(path.format(ref=incident.reference))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert snapshot(incident) == before
