"""Mail intake on SQLite and PostgreSQL: a batch of mails commits once, each mail in its
own SAVEPOINT, so one bad mail or one lost race undoes that mail alone; and whatever a mail
holds (NUL characters, which PostgreSQL refuses, raw bytes) still reaches the database."""

import logging
import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import Incident, Message, OutboundEmail, QuarantinedEmail, ReceivedEmail
from mail_gateway import ledger
from mail_gateway.ingest import ingest
from mail_gateway.parse import parse
from tests.factories import gen_incident, gen_user
from tests.mail import mutations
from tests.mail.messages import make_message
from tests.test_ingest import bounce

NO_SENDER = b"Subject: no sender\r\nMessage-ID: <nobody@example.org>\r\n\r\nhello\r\n"


def count(model: type) -> int:
    """Rows of a table, as committed and visible to a fresh query."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_batch_commits_good_mail_and_quarantines_the_bad_one(app):
    first = make_message(1)
    with transaction():
        outcomes = [
            ingest(first, "batch").outcome,
            ingest(NO_SENDER, "batch").outcome,
            ingest(first, "batch").outcome,  # delivered twice in one batch
            ingest(make_message(2), "batch").outcome,
        ]
    db.session.remove()  # what a new session sees is what was committed
    assert outcomes == ["new_incident", "quarantined", "duplicate", "new_incident"]
    assert (count(Incident), count(Message), count(ReceivedEmail)) == (2, 2, 3)
    assert count(QuarantinedEmail) == 1
    assert count(OutboundEmail) == 2  # both acknowledgements


def test_a_failed_batch_leaves_nothing_behind(app):
    with pytest.raises(RuntimeError), transaction():
        ingest(make_message(1), "batch")
        raise RuntimeError("the process is going down")
    db.session.remove()
    assert (count(Incident), count(ReceivedEmail), count(OutboundEmail)) == (0, 0, 0)


def test_a_lost_race_inside_a_batch_undoes_only_that_mail(app, monkeypatch):
    raw = make_message(7)
    ingest(raw, "gateway A")
    real = ledger.received
    answers = iter([None])  # gateway B looked before A committed
    monkeypatch.setattr(ledger, "received", lambda key: next(answers, real(key)))
    with transaction():
        raced = ingest(raw, "gateway B").outcome
        after = ingest(make_message(8), "gateway B").outcome
    db.session.remove()
    assert (raced, after) == ("duplicate", "new_incident")
    assert (count(Incident), count(ReceivedEmail), count(QuarantinedEmail)) == (2, 2, 0)


NUL_EVERYWHERE = (
    b"From: =?utf-8?q?Ada=00Lovelace?= <ada@example.org>\r\n"
    b"To: support@helpdesk.localhost\r\nSubject: =?utf-8?q?Printer=00jam?=\r\n"
    b"Message-ID: <nul-everywhere@example.org>\r\n"
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain\r\n\r\nIt\x00 jams.\r\n"
    b"--b\r\nContent-Type: text/plain; name*=utf-8''log%00.txt\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''log%00.txt\r\n\r\nE13\r\n--b--\r\n"
)


def test_nul_characters_in_headers_and_names_reach_the_database(app):
    # PostgreSQL refuses NUL in text (SQLite takes it): the mail must still be applied.
    result = ingest(NUL_EVERYWHERE, "t")
    assert result.outcome == "new_incident"
    incident = db.session.scalars(select(Incident)).one()
    assert "\x00" not in incident.subject and "Printer" in incident.subject
    assert incident.requester.name == "Ada Lovelace"
    (attachment,) = db.session.scalars(select(Message)).one().attachments
    assert attachment.filename == "log_.txt"  # the NUL became a safe character


def test_a_broken_content_type_with_a_nul_still_opens_the_incident(app):
    raw = (
        b"From: Ada <ada@example.org>\r\nTo: support@helpdesk.localhost\r\n"
        b"Subject: Calendar\r\nMessage-ID: <nul-type@example.org>\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee the invite.\r\n"
        b"--b\r\nContent-Type: text/calendar\x00 charset=utf-8\r\n"
        b"Content-Disposition: attachment; filename=invite.ics\r\n\r\nBEGIN:VCALENDAR\r\n--b--\r\n"
    )
    assert ingest(raw, "t").outcome == "new_incident"
    (attachment,) = db.session.scalars(select(Message)).one().attachments
    assert (attachment.filename, attachment.content_type) == ("invite.ics", "text/plain")


def test_a_database_refusal_is_quarantined_without_the_sql_or_a_nul(app):
    refusal = DataError(
        "INSERT INTO attachments (content_type) VALUES (%(content_type)s)",
        {"content_type": "text/pl\x00ain"},
        Exception("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
    )
    text = ledger.quarantine_reason(refusal, parse(b"Subject: x\x00y\n\nbody"))
    assert text == "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes"


def test_a_bounce_quoting_a_nul_is_noted_on_the_incident(app):
    requester = gen_user(email="ada@example.org")
    incident = gen_incident(requester)
    ack = db.session.scalars(select(OutboundEmail)).one()
    raw = bounce(ack.message_id, requester.email).replace(b"User unknown", b"User un\x00known")
    raw = raw.replace(b"rfc822; ada@", b"rfc822; a\x00da@")  # and in the failed recipient
    result = ingest(raw, "t")
    assert (result.outcome, result.reference) == ("bounce", incident.reference)
    note = db.session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert "User unknown" in note.body


def test_mutated_mail_is_always_on_record_and_never_a_bug(app, caplog):
    # bench/fuzz_ingest.py runs this for as long as you like, on SQLite or PostgreSQL; it
    # found the SMTPUTF8 crash and the NUL characters PostgreSQL refuses.
    rng = random.Random(7)
    corpus = mutations.samples()
    outcomes = set()
    for number in range(120):
        raw = mutations.mutate(rng, rng.choice(corpus))
        result = ingest(raw, f"fuzz-{number}")
        outcomes.add(result.outcome)
        assert ledger.received(ledger.safe_key(parse(raw).dedupe_key)) is not None
        assert ingest(raw, f"fuzz-{number}-again").outcome == "duplicate"
    assert {"new_incident", "quarantined"} <= outcomes
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
