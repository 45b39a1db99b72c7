"""The email as sent, for agents: the original .eml of a mailed message, and its HTML body
shown sanitized in a sandboxed frame."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, Message
from mail_gateway.ingest import ingest
from tests.factories import gen_incident, gen_user
from tests.test_ingest import SUPPORT

HOSTILE_HTML = (
    "<p>The <b>printer</b> on floor 2 shows <i>E13</i>.</p>"
    '<script>alert("script")</script>'
    '<p onmouseover="alert(1)">Hover</p>'
    '<img src="https://tracker.example/pixel.gif" alt="pixel">'
    '<a href="javascript:alert(2)">click</a>'
    '<a href="https://printers.example/e13">the manual</a>'
)


def html_mail(sender: str = "Ada Lovelace <ada@example.org>") -> bytes:
    """A mail with a text and a hostile HTML part, as a mail client would send it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = "Printer jam on floor 2"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content("The printer on floor 2 shows E13.")
    message.add_alternative(HOSTILE_HTML, subtype="html")
    return bytes(message)


@pytest.fixture
def mailed(app) -> tuple[Incident, Message, bytes]:
    """An incident opened by an HTML email from Ada (who has an account): the incident, its
    first message, the raw mail."""
    gen_user(name="Ada Lovelace", email="ada@example.org")
    raw = html_mail()
    result = ingest(raw, "imap://INBOX/1")
    incident = db.session.scalars(
        select(Incident).where(Incident.reference == result.reference)
    ).one()
    message = db.session.scalars(select(Message).where(Message.incident_id == incident.id)).one()
    return incident, message, raw


def urls(incident: Incident, message: Message) -> tuple[str, str]:
    """The original's and the formatted body's URLs."""
    base = f"/agent/incidents/{incident.reference}/messages/{message.id}"
    return f"{base}/original.eml", f"{base}/formatted"


def test_agents_download_the_original_byte_for_byte(client, auth, mailed):
    incident, message, raw = mailed
    auth.login(gen_user("agent").email)
    page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    original, formatted = urls(incident, message)
    assert f'href="{original}" download>Original email (.eml)</a>' in page
    assert f'src="{formatted}"' in page and 'sandbox="allow-popups' in page
    response = client.get(original)
    assert response.status_code == 200
    assert response.data == raw
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (
        f"{incident.reference}-message-{message.id}.eml" in response.headers["Content-Disposition"]
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_the_formatted_body_is_sanitized_and_sandboxed(client, auth, mailed):
    incident, message, _ = mailed
    auth.login(gen_user("agent").email)
    response = client.get(urls(incident, message)[1])
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "allow-scripts" not in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = response.get_data(as_text=True)
    assert "<b>printer</b>" in html and "<i>E13</i>" in html
    assert 'href="https://printers.example/e13"' in html
    for hostile in ("<script", "alert(", "onmouseover", "tracker.example", "javascript:"):
        assert hostile not in html, hostile


def test_end_users_are_refused_even_for_their_own_mail(client, auth, mailed):
    incident, message, _ = mailed
    auth.login("ada@example.org")  # the requester
    for url in urls(incident, message):
        assert client.get(url).status_code == 403  # like every console route
    page = client.get(f"/my/incidents/{incident.reference}").get_data(as_text=True)
    assert "original.eml" not in page and "/formatted" not in page


def test_a_message_of_another_incident_is_404(client, auth, mailed):
    incident, message, _ = mailed
    other = gen_incident(gen_user())
    auth.login(gen_user("agent").email)
    for url in urls(other, message):
        assert client.get(url).status_code == 404
    assert (
        client.get(f"/agent/incidents/{incident.reference}/messages/999999/formatted").status_code
        == 404
    )


def test_messages_not_received_by_email_offer_neither(client, auth, mailed):
    incident, _, _ = mailed
    agent = gen_user("agent")
    reply = incidents.add_reply(incident, agent, "On it.", channel="agent")
    auth.login(agent.email)
    for url in urls(incident, reply):
        assert client.get(url).status_code == 404
    page = client.get(f"/agent/incidents/{incident.reference}").get_data(as_text=True)
    assert page.count("Original email (.eml)") == 1
    assert page.count("Show formatted") == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, mailed):
    incident, message, _ = mailed
    for url in urls(incident, message):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
