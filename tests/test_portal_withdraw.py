"""Withdrawing an incident from the portal: the requester no longer needs help."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, Incident
from helpdesk.models.audit import INCIDENT
from tests.factories import gen_incident, gen_user

FORM = 'action="/my/incidents/{}/withdraw"'


@pytest.fixture
def requester(auth):
    """An end user, signed in."""
    user = gen_user(name="Rita Requester")
    auth.login(user.email)
    return user


def reload(incident: Incident) -> Incident:
    """Read the incident back from the database, as the next request would."""
    db.session.expire_all()
    return db.session.get(Incident, incident.id)


def cancel_reason(incident: Incident) -> tuple[int | None, str]:
    """Who cancelled the incident, and the reason recorded."""
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.about(INCIDENT, incident.id), AuditEvent.action == "cancel_reason"
        )
    ).one()
    return event.actor_id, event.details["reason"]


def test_requester_withdraws_an_open_incident(client, requester):
    incident = gen_incident(requester)
    url = f"/my/incidents/{incident.reference}"
    page = client.get(url).get_data(as_text=True)

    response = client.post(
        f"{url}/withdraw", data={"reason": "It works after a restart.", "confirm": "y"}
    )

    assert FORM.format(incident.reference) in page and "Withdraw this incident" in page
    assert response.status_code == 302 and response.headers["Location"] == url
    assert reload(incident).status == "cancelled"
    assert cancel_reason(incident) == (
        requester.id,
        "Withdrawn by the requester: It works after a restart.",
    )
    after = client.get(url).get_data(as_text=True)
    assert "You have withdrawn this incident." in after
    assert 'class="badge status-cancelled">Cancelled<' in after
    assert "Withdraw this incident" not in after and "Add a reply" not in after
    assert "Closed" in client.get("/my/incidents?tab=closed").text


def test_withdrawing_needs_the_tick_box(client, requester):
    incident = gen_incident(requester)
    response = client.post(
        f"/my/incidents/{incident.reference}/withdraw", data={"reason": "Keep my words"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please tick the box to confirm you want to withdraw it." in page
    assert "Keep my words" in page
    assert '<details class="card withdraw" open>' in page
    assert reload(incident).status == "new"


def test_a_participant_is_not_offered_withdrawal_and_is_refused(client, auth, requester):
    incident = gen_incident(gen_user(), participants=[requester])
    url = f"/my/incidents/{incident.reference}"

    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/withdraw", data={"confirm": "y"})

    assert FORM.format(incident.reference) not in page
    assert response.status_code == 422
    assert "Only the person who reported the incident can withdraw it." in response.text
    assert reload(incident).status == "new"


def test_a_resolved_incident_cannot_be_withdrawn(client, requester):
    incident = gen_incident(requester)
    incidents.resolve(incident, gen_user("agent"), "fixed", "Done.")
    url = f"/my/incidents/{incident.reference}"

    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/withdraw", data={"confirm": "y"})

    assert FORM.format(incident.reference) not in page
    assert response.status_code == 422
    assert "no longer open, so it cannot be withdrawn" in response.text
    assert reload(incident).status == "resolved"


def test_someone_elses_incident_is_404(client, requester):
    incident = gen_incident(gen_user())
    response = client.post(f"/my/incidents/{incident.reference}/withdraw", data={"confirm": "y"})
    assert response.status_code == 404
    assert reload(incident).status == "new"
