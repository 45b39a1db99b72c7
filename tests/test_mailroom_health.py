"""The mail gateway health page: who may see it, what it shows, and the admins' Retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.extensions import db
from helpdesk.models import GatewayHeartbeat, OutboundEmail, QuarantinedEmail, utcnow
from helpdesk.models.outbox import FAILED, PENDING
from mail_gateway import health, outbox
from tests.conftest import AuthActions, reconfigure
from tests.factories import gen_user
from tests.mail.helpers import queue
from tests.pg import free_port

URL = "/agent/mail/health"


@pytest.fixture(autouse=True)
def smtp_outbox(app: Flask) -> None:
    """Queue mail for an SMTP gateway, so rows stay pending (the file transport sends at once)."""
    reconfigure(app, OUTBOX_TRANSPORT="smtp")


def failed_message(recipient: str = "dee@example.org") -> OutboundEmail:
    """An outbound message the outbox gave up on."""
    row = queue(recipient, subject="Your password was reset")
    row.state = FAILED
    row.attempts = 9
    row.last_error = "cannot deliver via smtp.example.org:587: Connection refused"
    db.session.commit()
    return row


def test_visitors_sign_in_and_users_are_refused(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get(URL).status_code == 302
    auth.login(gen_user("user").email)
    assert client.get(URL).status_code == 403


def test_before_the_first_poll_agents_are_told_how_to_start_the_gateway(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login(gen_user("agent").email)
    page = client.get(URL).get_data(as_text=True)
    assert "The gateway has not reported yet" in page
    assert "helpdesk gateway run" in page
    assert "Nothing is waiting" in page


def test_agents_see_polls_errors_waiting_mail_quarantine_and_backlog(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    health.record_success("imap://support@mail.example.org:993/INBOX", waiting=4)
    health.record_error("imap://support@mail.example.org:993/INBOX", "socket error: EOF")
    db.session.add(
        QuarantinedEmail(dedupe_key="<q@x>", error="Enter a valid email address.", raw_path="x")
    )
    db.session.commit()
    oldest = queue("eve@example.org", subject="Printer fixed")
    oldest.created_at = utcnow() - timedelta(hours=3)
    oldest.attempts = 2
    oldest.last_error = "the SMTP server refused the message: 451 4.3.0 Try again later"
    db.session.commit()
    queue("fay@example.org")
    failed_message()

    auth.login(gen_user("agent").email)
    response = client.get(URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "imap://support@mail.example.org:993/INBOX" in page
    assert "Failing" in page and "socket error: EOF" in page
    assert "<dt>Messages waiting</dt>\n    <dd>4</dd>" in page
    assert '<a href="/agent/mail/quarantine">1 message waiting for an agent</a>' in page
    assert "<dt>Waiting to be sent</dt>\n    <dd>2</dd>" in page
    assert "To eve@example.org, “Printer fixed”, queued" in page and "3 hours ago" in page
    assert "451 4.3.0 Try again later" in page
    assert "<dt>Given up</dt>\n    <dd>1</dd>" in page
    assert "Mail given up on" not in page and "Retry" not in page  # admins only


def test_a_silent_gateway_is_flagged(client: FlaskClient, auth: AuthActions) -> None:
    health.record_success("maildir:/srv/helpdesk/maildrop", waiting=0, running=True)
    beat = db.session.scalars(db.select(GatewayHeartbeat)).one()
    beat.last_poll_at = beat.last_success_at = beat.running_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    auth.login(gen_user("agent").email)
    assert "Not reporting" in client.get(URL).get_data(as_text=True)


def test_mail_given_up_after_the_configured_time_is_listed_for_admins(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    reconfigure(app, SMTP_SECURITY="plain", SMTP_PORT=free_port(), OUTBOX_GIVE_UP_HOURS=1)
    row = queue("gus@example.org", subject="Disk replaced")
    row.created_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    assert outbox.drain().failed == 1

    auth.login(gen_user("admin").email)
    page = client.get(URL).get_data(as_text=True)
    assert "Mail given up on" in page
    assert "gus@example.org" in page and "Disk replaced" in page and "Connection refused" in page
    assert f'action="/agent/mail/outbox/{row.id}/retry"' in page


def test_admins_retry_a_given_up_message(client: FlaskClient, auth: AuthActions) -> None:
    row = failed_message()
    auth.login(gen_user("admin").email)
    response = client.post(f"/agent/mail/outbox/{row.id}/retry", follow_redirects=True)
    assert "The message to dee@example.org is queued again." in response.get_data(as_text=True)
    db.session.refresh(row)
    assert (row.state, row.attempts) == (PENDING, 0)
    assert "No outbound mail has been given up on." in response.get_data(as_text=True)


def test_retrying_something_that_was_not_given_up_is_refused_politely(
    client: FlaskClient, auth: AuthActions
) -> None:
    row = queue()
    auth.login(gen_user("admin").email)
    response = client.post(f"/agent/mail/outbox/{row.id}/retry", follow_redirects=True)
    assert "Only a message that was given up on can be retried." in response.get_data(as_text=True)
    missing = client.post("/agent/mail/outbox/999/retry", follow_redirects=True)
    assert "That message is not in the outbox." in missing.get_data(as_text=True)


def test_agents_cannot_retry(client: FlaskClient, auth: AuthActions) -> None:
    row = failed_message()
    auth.login(gen_user("agent").email)
    assert client.post(f"/agent/mail/outbox/{row.id}/retry").status_code == 403
    db.session.refresh(row)
    assert row.state == FAILED
