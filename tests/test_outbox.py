"""The SMTP outbox against a real aiosmtpd sink: delivery, retries, backoff, give-up, claims."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from helpdesk.config import DEFAULTS
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, utcnow
from helpdesk.models.outbox import FAILED, PENDING, SENT
from mail_gateway import claims, outbox
from tests.conftest import make_app
from tests.factories import gen_incident, gen_user
from tests.mail.helpers import queue
from tests.mail.smtp_sink import SmtpSink
from tests.pg import free_port
from tests.sql_statements import counted_statements


def _app(tmp_path: Path, **settings: object) -> Iterator[Flask]:
    """An app whose outbox goes where `settings` say, inside an app context."""
    app = make_app(tmp_path / "instance", **settings)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def smtp_app(tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Flask]:
    """An app that sends its outbox to the plain sink, retrying after 1 s, 2 s, 4 s ..."""
    yield from _app(tmp_path, **smtp_sink.settings(OUTBOX_RETRY_SECONDS=1))


def make_due(row: OutboundEmail) -> None:
    """Wind the row's clock forward instead of sleeping through a backoff."""
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_due_mail_reaches_the_server_with_its_headers_intact(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    row = queue()
    result = outbox.drain()
    assert (result.sent, result.deferred, result.failed) == (1, 0, 0)
    [delivery] = smtp_sink.deliveries
    assert delivery.rcpt_tos == ("ana@example.org",)
    assert delivery.mail_from == "support@helpdesk.localhost"
    assert b"\n" not in delivery.data.replace(b"\r\n", b"")  # SMTP line endings only
    sent = delivery.parsed()
    assert sent["Message-ID"] == row.message_id
    assert sent["Subject"] == "[INC-000042] Printer fixed"
    assert sent["In-Reply-To"] == "<earlier@example.org>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert "Your printer works again." in sent.get_content()
    db.session.refresh(row)
    assert row.state == SENT and row.sent_at is not None and row.attempts == 1


def test_an_incident_acknowledgement_is_delivered_to_the_requester(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    requester = gen_user(email="ben@example.org")
    incident = gen_incident(requester, subject="VPN drops every hour")
    queued = db.session.scalars(db.select(OutboundEmail)).all()
    assert queued and all(row.state == PENDING for row in queued)
    outbox.drain()
    delivered = {d.rcpt_tos[0]: d.parsed() for d in smtp_sink.deliveries}
    assert f"[{incident.reference}]" in delivered["ben@example.org"]["Subject"]
    assert {row.state for row in db.session.scalars(db.select(OutboundEmail))} == {SENT}


def test_a_refusing_server_gets_the_message_again_with_growing_delays(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    row = queue()
    smtp_sink.refuse(2)
    before = utcnow()
    assert outbox.drain().deferred == 1
    db.session.refresh(row)
    assert row.state == PENDING and row.attempts == 1
    assert row.last_error == "the SMTP server refused the message: 451 4.3.0 Try again later"
    assert timedelta(seconds=0.5) < row.next_attempt_at - before < timedelta(seconds=2)

    assert outbox.drain().sent == 0  # not due yet: nothing is sent early
    time.sleep(1.1)
    before = utcnow()
    assert outbox.drain().deferred == 1
    db.session.refresh(row)
    assert row.attempts == 2
    assert timedelta(seconds=1.5) < row.next_attempt_at - before < timedelta(seconds=3)

    make_due(row)
    assert outbox.drain().sent == 1
    db.session.refresh(row)
    assert row.state == SENT and row.attempts == 3 and row.last_error is None
    assert len(smtp_sink.deliveries) == 1


def test_a_down_server_leaves_the_mail_pending_with_the_reason(tmp_path: Path) -> None:
    closed_port = free_port()
    settings = {"OUTBOX_TRANSPORT": "smtp", "SMTP_PORT": closed_port, "SMTP_SECURITY": "plain"}
    for _app_ctx in _app(tmp_path, **settings):
        first, second = queue(), queue("cem@example.org")
        result = outbox.drain()
        assert (result.sent, result.deferred) == (0, 1)  # stops at the first: no server
        db.session.refresh(first)
        db.session.refresh(second)
        assert first.state == PENDING and first.attempts == 1
        assert first.last_error == f"cannot deliver via 127.0.0.1:{closed_port}: Connection refused"
        assert second.state == PENDING and second.attempts == 0


def test_mail_still_undelivered_after_the_give_up_time_fails(tmp_path: Path) -> None:
    settings = {"OUTBOX_TRANSPORT": "smtp", "SMTP_PORT": free_port(), "OUTBOX_GIVE_UP_HOURS": 48}
    for _app_ctx in _app(tmp_path, SMTP_SECURITY="plain", **settings):
        row = queue()
        row.created_at = utcnow() - timedelta(hours=49)
        db.session.commit()
        assert outbox.drain().failed == 1
        db.session.refresh(row)
        assert row.state == FAILED and "Connection refused" in (row.last_error or "")
        assert outbox.drain().deferred == 0  # a failed message is not tried again by itself


def test_a_permanent_refusal_fails_at_once(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    row = queue()
    smtp_sink.refuse(1, "550 5.1.1 No such user")
    assert outbox.drain().failed == 1
    db.session.refresh(row)
    assert row.state == FAILED
    assert row.last_error == "the SMTP server refused the message: 550 5.1.1 No such user"


def test_an_international_domain_is_sent_to_its_ascii_spelling(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    requester = gen_user(email="ben@bücher.example")
    incident = gen_incident(requester, subject="VPN drops every hour")
    assert outbox.drain().sent == 1
    [delivery] = smtp_sink.deliveries
    assert delivery.rcpt_tos == ("ben@xn--bcher-kva.example",)
    assert f"[{incident.reference}]" in delivery.parsed()["Subject"]
    assert delivery.parsed()["To"].addresses[0].addr_spec == "ben@xn--bcher-kva.example"


def test_a_mailbox_name_beyond_ascii_fails_at_once_with_the_reason(
    smtp_app: Flask, smtp_sink: SmtpSink
) -> None:
    row = queue()
    row.recipient = "jörg@example.de"  # queued before such addresses were refused
    db.session.commit()
    assert outbox.drain().failed == 1
    db.session.refresh(row)
    assert row.state == FAILED and "SMTPUTF8" in row.last_error
    assert smtp_sink.deliveries == []


def test_retry_puts_a_failed_message_back_in_the_queue(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    row = queue()
    row.state = FAILED
    row.attempts = 7
    db.session.commit()
    outbox.retry_failed(row.id)
    assert (row.state, row.attempts) == (PENDING, 0)
    assert outbox.drain().sent == 1
    assert len(smtp_sink.deliveries) == 1
    with pytest.raises(outbox.InvalidInput):
        outbox.retry_failed(row.id)  # it was sent: nothing to retry


def test_a_claimed_message_is_not_sent_by_a_second_gateway(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    row = queue()
    claim = claims.claim_batch(0, claim_seconds=300)
    assert [claimed.id for claimed in claim.rows] == [row.id]
    assert outbox.drain().sent == 0  # the other gateway sees nothing due
    assert smtp_sink.deliveries == []


def test_claims_take_each_due_row_once_on_sqlite_and_postgresql(db_app: Flask) -> None:
    rows = [queue(f"user{number}@example.org") for number in range(5)]
    first = claims.claim_batch(0, claim_seconds=300, size=3)
    second = claims.claim_batch(0, claim_seconds=300, size=3)
    assert [row.id for row in first.rows] == [row.id for row in rows[:3]]
    assert [row.id for row in second.rows] == [row.id for row in rows[3:]]
    assert claims.claim_batch(0, claim_seconds=300).rows == []
    claims.release(first, first.rows[2:])
    assert [row.id for row in claims.claim_batch(0, claim_seconds=300).rows] == [rows[2].id]


def test_claimed_rows_handed_back_are_sent_by_the_next_drain(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    rows = [queue(f"user{number}@example.org") for number in range(3)]
    claim = claims.claim_batch(0, claim_seconds=300)
    assert [row.id for row in claim.rows] == [row.id for row in rows]
    claims.release(claim, claim.rows[1:])
    assert outbox.drain().sent == 2
    assert sorted(d.rcpt_tos[0] for d in smtp_sink.deliveries) == [
        "user1@example.org",
        "user2@example.org",
    ]


def test_a_claim_too_short_for_the_next_send_is_claimed_anew(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A claim that covers one send (as when the server stalls for as long as a claim
    lasts): each row is claimed on its own, the rest handed back each time, and every
    row is still sent once."""
    monkeypatch.setattr(outbox, "CLAIM_IN_SENDS", 1)
    rows = [queue(f"user{number}@example.org") for number in range(3)]
    assert outbox.drain().sent == 3
    recipients = sorted(d.rcpt_tos[0] for d in smtp_sink.deliveries)
    assert recipients == sorted(row.recipient for row in rows)


def test_one_claim_sends_a_whole_batch(smtp_app: Flask, smtp_sink: SmtpSink) -> None:
    """Claims are made per batch, not per mail: 30 mails take two claims and nothing is
    handed back (counted in the statements the drain sends)."""
    for number in range(30):
        queue(f"user{number}@example.org")
    with counted_statements() as statements:
        assert outbox.drain().sent == 30
    moved = [s for s in statements if s.startswith("UPDATE") and "SET next_attempt_at=" in s]
    assert len(moved) == 2


def test_two_gateways_draining_at_once_send_each_message_once(
    smtp_app: Flask,
    smtp_sink: SmtpSink,
) -> None:
    rows = [queue(f"user{number}@example.org") for number in range(30)]
    results: list[outbox.DrainResult] = []

    def gateway() -> None:
        with smtp_app.app_context():
            results.append(outbox.drain())
            db.session.remove()

    threads = [threading.Thread(target=gateway) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(result.sent for result in results) == 30
    recipients = sorted(d.rcpt_tos[0] for d in smtp_sink.deliveries)
    assert recipients == sorted(row.recipient for row in rows)


def test_starttls_and_login_are_used_when_configured(
    tmp_path: Path,
    secure_smtp_sink: SmtpSink,
) -> None:
    for _app_ctx in _app(tmp_path, **secure_smtp_sink.settings()):
        row = queue()
        assert outbox.drain().sent == 1
        assert len(secure_smtp_sink.deliveries) == 1
        db.session.refresh(row)
        assert row.state == SENT


def test_a_wrong_smtp_password_is_reported_without_the_password(
    tmp_path: Path,
    secure_smtp_sink: SmtpSink,
) -> None:
    settings = secure_smtp_sink.settings(SMTP_PASSWORD="wrong-secret-123")
    for _app_ctx in _app(tmp_path, **settings):
        row = queue()
        assert outbox.drain().deferred == 1
        db.session.refresh(row)
        assert row.state == PENDING
        assert "refused the login of mailer" in (row.last_error or "")
        assert "wrong-secret-123" not in (row.last_error or "")


def test_plaintext_smtp_with_a_password_is_refused_for_remote_hosts() -> None:
    config = {
        **DEFAULTS,
        "SMTP_HOST": "mail.example.org",
        "SMTP_PORT": 25,
        "SMTP_SECURITY": "plain",
        "SMTP_USERNAME": "mailer",
        "SMTP_PASSWORD": "secret",
        "SMTP_TIMEOUT_SECONDS": 5,
    }
    with pytest.raises(outbox.SmtpFailure, match="clear text"):
        outbox.SmtpSettings.from_config(config, "support@example.org")


def test_the_file_transport_writes_eml_files(app: Flask) -> None:
    row = queue()
    row.state = PENDING  # queued by another process, not yet written
    db.session.commit()
    assert outbox.drain().sent >= 1
    written = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert any(path.read_bytes() == row.raw for path in written)
