"""Outgoing mail: headers that thread and stop loops, no header injection, file outbox."""

from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from helpdesk import incidents, notify
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail
from tests.factories import gen_incident, gen_user


def sent(app):
    """Parsed messages from the outbox folder, oldest first."""
    files = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def test_acknowledgement_headers(app):
    requester = gen_user(name="Ada Lovelace")
    incident = gen_incident(requester, subject="Monitor flickers")
    (mail,) = sent(app)
    assert mail["Subject"] == f"[{incident.reference}] Monitor flickers"
    assert mail["To"].addresses[0].addr_spec == requester.email
    assert mail["Reply-To"] == app.config["SUPPORT_ADDRESS"]
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Message-ID"].endswith("@helpdesk.localhost>")
    assert "http://helpdesk.test/my/incidents/" + incident.reference in mail.get_content()


def test_outbox_row_is_marked_sent_after_the_file_is_written(app):
    gen_incident()
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "sent" and row.sent_at is not None


def test_agent_reply_is_not_marked_automatic(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.add_reply(incident, agent, "Try turning it off and on again.")
    reply = sent(app)[-1]
    assert reply["Auto-Submitted"] is None
    assert "Try turning it off and on again." in reply.get_content()


def test_subject_and_name_cannot_inject_headers(app):
    requester = gen_user(name="Eve\r\nBcc: victim@example.org")
    gen_incident(requester, subject="Help\r\nBcc: everyone@example.org")
    raw = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))[0]
    headers = raw.read_bytes().split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers.replace(b"\r\n", b"\n")


def test_user_reply_notifies_the_assigned_agent(app):
    requester, agent = gen_user(), gen_user("agent")
    incident = gen_incident(requester)
    incidents.assign(incident, agent, None, agent.id)
    incidents.add_reply(incident, requester, "More details: error 0x80070005")
    last = sent(app)[-1]
    assert last["To"].addresses[0].addr_spec == agent.email
    assert "/agent/incidents/" in last.get_content()


def test_suppressed_block_queues_nothing(app):
    with notify.suppressed():
        gen_incident()
    assert sent(app) == []
