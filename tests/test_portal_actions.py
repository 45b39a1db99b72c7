"""Portal actions: reply, confirm or reject a resolution, and rate an incident."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, Message, utcnow
from tests.factories import gen_incident, gen_user


@pytest.fixture
def requester(auth):
    """An end user, signed in."""
    user = gen_user(name="Rita Requester")
    auth.login(user.email)
    return user


@pytest.fixture
def agent(app):
    """An agent who works the incidents."""
    return gen_user("agent", name="Alex Agent")


@pytest.fixture
def resolved(requester, agent):
    """One of the requester's incidents, resolved and waiting for confirmation."""
    incident = gen_incident(requester, subject="Outlook crashes")
    incidents.resolve(incident, agent, "fixed", "Repaired the Office install.")
    return incident


def reload(incident: Incident) -> Incident:
    """Read the incident back from the database, as the next request would."""
    db.session.expire_all()
    return db.session.get(Incident, incident.id)


def messages_on(incident: Incident) -> list[Message]:
    """The incident's messages, oldest first."""
    query = select(Message).where(Message.incident_id == incident.id).order_by(Message.id)
    return list(db.session.scalars(query))


# --- Reply ------------------------------------------------------------------------------


def test_reply_adds_a_message_with_attachments(client, requester):
    incident = gen_incident(requester)
    url = f"/my/incidents/{incident.reference}"

    response = client.post(
        f"{url}/reply",
        data={"body": "Here is the log.", "attachments": (io.BytesIO(b"error 42"), "log.txt")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302 and response.headers["Location"] == url
    latest = messages_on(incident)[-1]
    assert (latest.kind, latest.channel, latest.author_id) == ("reply", "portal", requester.id)
    assert latest.body == "Here is the log."
    assert [a.filename for a in latest.attachments] == ["log.txt"]
    page = client.get(url).get_data(as_text=True)
    assert "Your reply has been added." in page
    assert "Here is the log." in page and "log.txt" in page


def test_reply_to_resolved_incident_reopens_it(client, resolved):
    response = client.post(
        f"/my/incidents/{resolved.reference}/reply", data={"body": "It crashed again."}
    )
    assert response.status_code == 302
    assert reload(resolved).status == "in_progress"
    assert "the incident is open again" in client.get(response.headers["Location"]).text


def test_empty_reply_is_refused(client, requester):
    incident = gen_incident(requester)
    response = client.post(f"/my/incidents/{incident.reference}/reply", data={"body": "  "})
    assert response.status_code == 422
    assert "Please write your reply." in response.text
    assert len(messages_on(incident)) == 1


def test_closed_incident_offers_a_new_report_instead_of_a_reply(client, resolved, requester):
    incidents.confirm_resolution(resolved, requester)
    url = f"/my/incidents/{resolved.reference}"

    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/reply", data={"body": "One more thing"})

    assert f'action="{url}/reply"' not in page
    assert "report a new incident" in page and 'href="/my/incidents/new"' in page
    assert response.status_code == 422
    assert "This incident is closed." in response.text
    assert "One more thing" not in [m.body for m in messages_on(resolved)]


# --- Confirm and reject -----------------------------------------------------------------


def test_confirming_closes_the_incident(client, resolved):
    response = client.post(f"/my/incidents/{resolved.reference}/confirm")
    assert response.status_code == 302
    assert reload(resolved).status == "closed"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for confirming. The incident is closed." in page
    assert "Is it fixed?" not in page


def test_rejecting_reopens_with_the_explanation_in_the_thread(client, resolved, requester):
    response = client.post(
        f"/my/incidents/{resolved.reference}/reject",
        data={"explanation": "Still crashes when I open attachments."},
    )
    assert response.status_code == 302
    assert reload(resolved).status == "in_progress"
    latest = messages_on(resolved)[-1]
    assert (latest.author_id, latest.body) == (
        requester.id,
        "Still crashes when I open attachments.",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The incident is open again" in page
    assert "Still crashes when I open attachments." in page


def test_the_rejected_resolution_stays_readable_until_the_next_one(client, resolved, agent):
    url = f"/my/incidents/{resolved.reference}"
    client.post(f"{url}/reject", data={"explanation": "Still crashes."})

    page = client.get(url).get_data(as_text=True)

    assert "Previously proposed resolution" in page
    assert "Repaired the Office install." in page
    assert "You said it did not fix the problem" in page

    incidents.resolve(reload(resolved), agent, "fixed", "Replaced the mail profile.")
    page = client.get(url).get_data(as_text=True)
    assert "Previously proposed resolution" not in page
    assert "Replaced the mail profile." in page


def test_participants_see_who_rejected_the_resolution(client, auth, resolved):
    colleague = gen_user()
    resolved.participants.append(colleague)
    db.session.commit()
    client.post(f"/my/incidents/{resolved.reference}/reject", data={"explanation": "No."})
    auth.logout()
    auth.login(colleague.email)

    page = client.get(f"/my/incidents/{resolved.reference}").get_data(as_text=True)

    assert "Repaired the Office install." in page
    assert "Rita Requester said it did not fix the problem" in page


def test_rejecting_needs_an_explanation(client, resolved):
    response = client.post(f"/my/incidents/{resolved.reference}/reject", data={"explanation": ""})
    assert response.status_code == 422
    assert "Please say what is still wrong." in response.text
    assert reload(resolved).status == "resolved"


def test_confirming_an_open_incident_is_refused(client, requester):
    incident = gen_incident(requester)
    response = client.post(f"/my/incidents/{incident.reference}/confirm")
    assert response.status_code == 422
    assert "This incident is not waiting for your confirmation." in response.text
    assert reload(incident).status == "new"


def test_participant_can_confirm(client, auth, agent):
    incident = gen_incident(gen_user())
    colleague = gen_user()
    incident.participants.append(colleague)
    db.session.commit()
    incidents.resolve(incident, agent, "fixed", "Done.")
    auth.login(colleague.email)

    client.post(f"/my/incidents/{incident.reference}/confirm")

    assert reload(incident).status == "closed"


# --- Rating -----------------------------------------------------------------------------


def test_rating_is_recorded_and_shown(client, resolved):
    url = f"/my/incidents/{resolved.reference}"
    response = client.post(f"{url}/rate", data={"rating": "4", "comment": "Quick and kind."})

    assert response.status_code == 302
    incident = reload(resolved)
    assert (incident.satisfaction_rating, incident.satisfaction_comment) == (4, "Quick and kind.")
    page = client.get(url).get_data(as_text=True)
    assert "Thank you for your feedback." in page
    assert "You rated this <strong>4 out of 5</strong>" in page
    assert "Quick and kind." in page


def test_closed_incident_can_be_rated(client, resolved, requester):
    incidents.confirm_resolution(resolved, requester)
    client.post(f"/my/incidents/{resolved.reference}/rate", data={"rating": "5"})
    assert reload(resolved).satisfaction_rating == 5


def test_rating_needs_a_choice(client, resolved):
    response = client.post(f"/my/incidents/{resolved.reference}/rate", data={"comment": "Hmm"})
    assert response.status_code == 422
    assert "Please choose a rating from 1 to 5." in response.text
    assert reload(resolved).satisfaction_rating is None


def test_rating_out_of_range_is_refused(client, resolved):
    response = client.post(f"/my/incidents/{resolved.reference}/rate", data={"rating": "9"})
    assert response.status_code == 422
    assert "The rating must be from 1 to 5." in response.text
    assert reload(resolved).satisfaction_rating is None


def test_open_incident_cannot_be_rated(client, requester):
    incident = gen_incident(requester)
    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    response = client.post(f"/my/incidents/{incident.reference}/rate", data={"rating": "1"})
    assert "Your rating" not in page
    assert "You can rate an incident once it is resolved." in response.text
    assert reload(incident).satisfaction_rating is None


def test_only_the_requester_rates(client, auth, agent):
    incident = gen_incident(gen_user())
    colleague = gen_user()
    incident.participants.append(colleague)
    db.session.commit()
    incidents.resolve(incident, agent, "fixed", "Done.")
    auth.login(colleague.email)

    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    response = client.post(f"/my/incidents/{incident.reference}/rate", data={"rating": "1"})

    assert "Your rating" not in page
    assert "Only the person who reported the incident can rate it." in response.text
    assert reload(incident).satisfaction_rating is None


def test_reply_long_after_resolution_is_refused_and_leaves_no_trace(client, resolved):
    resolved.resolved_at = utcnow() - timedelta(days=30)
    db.session.commit()
    url = f"/my/incidents/{resolved.reference}"

    response = client.post(f"{url}/reply", data={"body": "Broken again, a month later."})

    assert response.status_code == 422
    assert "resolved too long ago to reopen" in response.text
    assert "Broken again, a month later.</textarea>" in response.text
    assert reload(resolved).status == "resolved"
    assert "Broken again" not in " ".join(m.body for m in messages_on(resolved))
