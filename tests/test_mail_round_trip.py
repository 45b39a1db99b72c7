"""The whole conversation over real servers: a user mails in (Dovecot), an agent answers in
the console, the answer reaches the user (SMTP sink), and the user's mail client reply
threads back into the same incident even though the user rewrote the subject."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Incident, Message
from helpdesk.notify.message_ids import verify
from mail_gateway import outbox, runner
from tests.conftest import AuthActions
from tests.factories import gen_user
from tests.mail.dovecot import DovecotServer
from tests.mail.helpers import app_for
from tests.mail.messages import load
from tests.mail.smtp_sink import SmtpSink

USER = "ana.lopez@example.org"


@pytest.fixture
def mail_app(
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
) -> Iterator[Flask]:
    """An app that reads the private Dovecot and sends through the SMTP sink."""
    yield from app_for(tmp_path / "instance", dovecot, **smtp_sink.settings())


def user_mail(subject: str, body: str, message_id: str, **headers: str) -> bytes:
    """A mail from the user's own client."""
    mail = EmailMessage()
    mail["From"] = f"Ana Lopez <{USER}>"
    mail["To"] = "support@helpdesk.localhost"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail.as_bytes()


def sent_to_user(sink: SmtpSink) -> list[EmailMessage]:
    """Every mail the sink received for the user, oldest first."""
    return [d.parsed() for d in sink.deliveries if USER in d.rcpt_tos]


def test_mail_in_agent_reply_out_user_reply_threads_back(
    mail_app: Flask,
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
) -> None:
    agent = gen_user("agent", name="Sam Agent")
    with dovecot.client() as client:
        load(client, [user_mail("VPN keeps dropping", "It drops every 10 minutes.", "<a1@ex.org>")])
    summary, _ = runner.poll_once()
    assert summary.new_incidents == 1
    incident = db.session.scalars(select(Incident)).one()
    acknowledgement = sent_to_user(smtp_sink)[0]
    assert acknowledgement["Subject"] == f"[{incident.reference}] VPN keeps dropping"

    console = mail_app.test_client()
    AuthActions(console).login(agent.email)
    response = console.post(
        f"/agent/incidents/{incident.reference}/reply",
        data={"reply-body": "Please update the VPN client to 5.2."},
    )
    assert response.status_code in (302, 303)
    outbox.drain()
    reply = sent_to_user(smtp_sink)[-1]
    assert "Please update the VPN client to 5.2." in reply.get_body(("plain",)).get_content()
    assert reply["In-Reply-To"] == "<a1@ex.org>"
    assert verify(reply["Message-ID"]).incident_id == incident.id

    answer = user_mail(
        "Re: my VPN",  # the user rewrote the subject: only the headers can thread it
        "Updated, works now. Thanks!\n\nOn Monday Sam Agent wrote:\n> Please update",
        "<a2@ex.org>",
        In_Reply_To=reply["Message-ID"],
        References=f"<a1@ex.org> {reply['Message-ID']}",
    )
    with dovecot.client() as client:
        load(client, [answer])
    summary, _ = runner.poll_once()
    assert (summary.replies, summary.new_incidents) == (1, 0)
    bodies = db.session.scalars(
        select(Message.body).where(Message.incident_id == incident.id).order_by(Message.id)
    ).all()
    assert bodies[-1] == "Updated, works now. Thanks!"
    assert db.session.scalars(select(Incident)).all() == [incident]
