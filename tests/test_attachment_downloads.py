"""Attachment downloads: access rules and headers that stop inline rendering."""

import pytest

from helpdesk import incidents
from tests.factories import gen_incident, gen_user

HTML = b"<script>alert(document.cookie)</script>"


@pytest.fixture
def setup(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(
        requester, attachments=[incidents.NewAttachment("page.html", "text/html", HTML)]
    )
    public = incident_attachment(incident)
    note = incidents.add_note(
        incident, agent, "router log", [incidents.NewAttachment("r.log", "text/plain", b"x")]
    )
    return requester, agent, public, note.attachments[0]


def incident_attachment(incident):
    """The first attachment of the incident's first message."""
    from helpdesk.extensions import db
    from helpdesk.models import Message

    message = db.session.scalars(db.select(Message).filter_by(incident_id=incident.id)).first()
    return message.attachments[0]


def test_requester_downloads_as_attachment_never_inline(client, auth, setup):
    requester, _, public, _ = setup
    auth.login(requester.email)
    response = client.get(f"/attachments/{public.id}/page.html")
    assert response.status_code == 200
    assert response.data == HTML
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "page.html" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/octet-stream"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_other_user_gets_404(client, auth, setup):
    _, _, public, _ = setup
    auth.login(gen_user().email)
    assert client.get(f"/attachments/{public.id}").status_code == 404


def test_requester_cannot_download_note_attachment(client, auth, setup):
    requester, _, _, secret = setup
    auth.login(requester.email)
    assert client.get(f"/attachments/{secret.id}").status_code == 404


def test_agent_downloads_both(client, auth, setup):
    _, agent, public, secret = setup
    auth.login(agent.email)
    assert client.get(f"/attachments/{public.id}").status_code == 200
    assert client.get(f"/attachments/{secret.id}").data == b"x"


def test_anonymous_is_sent_to_login(client, setup):
    _, _, public, _ = setup
    response = client.get(f"/attachments/{public.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_attachment_is_404(client, auth, setup):
    auth.login(setup[1].email)
    assert client.get("/attachments/999999").status_code == 404
