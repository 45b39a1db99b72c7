"""Ingest: real .eml bytes through parse, dedupe, loops, routing and the service layer."""

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import (
    NOTE,
    REPLY,
    AuditEvent,
    Incident,
    IncidentLink,
    Message,
    OutboundEmail,
    QuarantinedEmail,
    ReceivedEmail,
    User,
    utcnow,
)
from mail_gateway import ledger
from mail_gateway.ingest import NO_SENDER, ingest, ingest_mail
from mail_gateway.parse import parse
from mail_gateway.parsed_mail import ParsedAttachment
from tests.conftest import reconfigure
from tests.factories import gen_incident, gen_user

SUPPORT = "support@helpdesk.localhost"


def eml(
    subject: str = "Printer jam on floor 2",
    sender: str = "Ada Lovelace <ada@example.org>",
    body: str = "The printer shows error E13.",
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """Build a mail to the support address, as a mail client would send it."""
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = SUPPORT
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, ctype, data in files:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def only(model):
    """The single row of a model (fails if there are none or several)."""
    return db.session.scalars(select(model)).one()


def count(model, *where) -> int:
    """How many rows of a model match."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def mail_to(address: str) -> list[OutboundEmail]:
    """The outbox rows addressed to someone."""
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.recipient == address)))


def newest_message(incident: Incident) -> Message:
    """The newest message on an incident."""
    return db.session.scalars(
        select(Message).where(Message.incident_id == incident.id).order_by(Message.id.desc())
    ).first()


# New incidents


def test_new_mail_opens_an_incident_with_cc_participants_and_an_acknowledgement(app):
    raw = eml(cc="Bob <bob@example.org>, support@helpdesk.localhost, ADA@example.org")
    result = ingest(raw, "test")
    assert result.outcome == "new_incident"
    incident = only(Incident)
    assert result.reference == incident.reference
    assert incident.subject == "Printer jam on floor 2"
    assert incident.channel == "email"
    assert incident.requester.email == "ada@example.org"
    assert incident.requester.name == "Ada Lovelace"
    assert not incident.requester.has_password
    assert [p.email for p in incident.participants] == ["bob@example.org"]
    (ack,) = mail_to("ada@example.org")
    assert incident.reference in ack.subject


def test_the_received_record_links_the_incident_and_keeps_the_original(app):
    raw = eml(message_id="<m1@example.org>")
    ingest(raw, "imap://inbox/1")
    received = only(ReceivedEmail)
    incident = only(Incident)
    first = only(Message)
    assert (received.outcome, received.incident_id, received.message_row_id) == (
        "new_incident",
        incident.id,
        first.id,
    )
    assert received.dedupe_key == "<m1@example.org>" == first.email_message_id
    assert received.source == "imap://inbox/1"
    assert (Path(app.config["ATTACHMENT_DIR"]) / received.raw_path).read_bytes() == raw


def test_cc_participants_can_be_switched_off(app):
    reconfigure(app, CC_BECOME_PARTICIPANTS=False)
    ingest(eml(cc="bob@example.org"), "test")
    assert only(Incident).participants == []


def test_subject_prefixes_are_dropped_and_attachments_kept(app):
    raw = eml(subject="Fwd: FW: Screen broken", files=[("shot.png", "image/png", b"\x89PNG...")])
    ingest(raw, "test")
    incident = only(Incident)
    assert incident.subject == "Screen broken"
    (attachment,) = only(Message).attachments
    assert (attachment.filename, attachment.size) == ("shot.png", 7)


def test_files_over_the_size_limit_are_named_instead_of_refusing_the_mail(app):
    reconfigure(app, MAX_UPLOAD_MB=1)
    big = b"x" * (1024 * 1024 + 1)
    ingest(eml(files=[("dump.bin", "application/octet-stream", big)]), "test")
    message = only(Message)
    assert message.attachments == []
    assert "dump.bin (1.0 MB)" in message.body


def test_real_files_take_the_places_before_inline_images(app):
    reconfigure(app, MAX_ATTACHMENTS_PER_MESSAGE=1)
    mail = parse(eml())
    mail.attachments = [
        ParsedAttachment("logo.png", "image/png", b"logo", inline=True, content_id="logo@x"),
        ParsedAttachment("report.pdf", "application/pdf", b"%PDF"),
    ]
    assert ingest_mail(mail, "t").outcome == "new_incident"
    message = only(Message)
    assert [a.filename for a in message.attachments] == ["report.pdf"]
    assert "logo.png (0.0 MB)" in message.body


def test_an_endless_body_is_cut_short_rather_than_refused(app):
    ingest(eml(body="word " * 30_000), "t")
    assert only(Message).body.endswith("[Cut short here; the original email is kept.]")


def test_bulk_mail_opens_an_incident_without_acknowledgement(app):
    raw = eml(sender="alerts@monitoring.example.org", headers={"Precedence": "bulk"})
    assert ingest(raw, "test").outcome == "new_incident"
    assert count(Incident) == 1
    assert count(OutboundEmail) == 0


def test_auto_reply_that_matches_nothing_is_only_recorded(app):
    raw = eml(subject="Out of office", headers={"Auto-Submitted": "auto-replied"})
    result = ingest(raw, "test")
    assert result.outcome == "ignored"
    assert count(Incident) == 0 and count(OutboundEmail) == 0
    assert only(ReceivedEmail).outcome == "ignored"


def test_our_own_mail_coming_back_is_ignored(app):
    result = ingest(eml(sender=f"Helpdesk <{SUPPORT}>"), "test")
    assert result.outcome == "ignored"
    assert count(Incident) == 0


# Replies


def test_reply_with_the_token_threads_and_loses_the_quoted_history(app):
    requester = gen_user(email="ada@example.org")
    incident = gen_incident(requester, subject="Printer jam")
    body = "It works again, thanks.\n\nOn Mon, 1 Jan 2024, Helpdesk wrote:\n> old text\n"
    result = ingest(eml(subject=f"RE: AW: [ {incident.reference.lower()} ] x", body=body), "t")
    assert (result.outcome, result.reference) == ("reply", incident.reference)
    message = newest_message(incident)
    assert (message.kind, message.channel, message.author_id) == (REPLY, "email", requester.id)
    assert message.body == "It works again, thanks."
    assert count(Incident) == 1


def test_reply_threads_by_in_reply_to_when_the_subject_was_rewritten(app):
    requester = gen_user(email="ada@example.org")
    incident = gen_incident(requester)
    (ack,) = mail_to("ada@example.org")
    result = ingest(eml(subject="something else", in_reply_to=ack.message_id), "t")
    assert (result.outcome, result.reference) == ("reply", incident.reference)


def test_reply_threads_by_references_to_a_mail_we_received(app):
    ingest(eml(message_id="<first@example.org>"), "t")
    incident = only(Incident)
    raw = eml(subject="more", references="<unrelated@x> <first@example.org>")
    assert ingest(raw, "t").reference == incident.reference
    assert count(Incident) == 1


def test_agent_mail_becomes_a_public_reply_sent_to_the_requester(app):
    requester = gen_user(email="ada@example.org")
    agent = gen_user("agent", email="grace@helpdesk.example")
    incident = gen_incident(requester)
    raw = eml(subject=f"Re: [{incident.reference}]", sender=agent.email, body="Try turning it off.")
    assert ingest(raw, "t").outcome == "reply"
    message = newest_message(incident)
    assert (message.kind, message.author_id) == (REPLY, agent.id)
    assert incident.first_response_at is not None
    assert any("Try turning it off." in row.raw.decode() for row in mail_to(requester.email))


@pytest.mark.parametrize(
    ("results", "outcome"),
    [
        ("mx.helpdesk.example; dmarc=pass header.from=helpdesk.example", "reply"),
        ("mx.helpdesk.example; dkim=pass header.d=helpdesk.example; dmarc=none", "reply"),
        ("mx.helpdesk.example; auth=pass smtp.auth=grace@helpdesk.example", "reply"),
        ("mx.helpdesk.example; auth=pass smtp.auth=intern@helpdesk.example", "flagged"),
        ("mx.helpdesk.example; spf=fail smtp.mailfrom=evil.example; dmarc=fail", "flagged"),
        ("evil.example; dmarc=pass header.from=helpdesk.example", "flagged"),  # not our MX
        (None, "flagged"),
    ],
)
def test_agent_mail_must_be_vouched_for_by_a_trusted_mail_server(app, results, outcome):
    reconfigure(app, MAIL_TRUSTED_AUTHSERV_IDS=["mx.helpdesk.example"])
    requester = gen_user(email="ada@example.org")
    agent = gen_user("agent", email="grace@helpdesk.example")
    incident = gen_incident(requester)
    before = len(mail_to(requester.email))
    headers = {"Authentication-Results": results} if results else None
    raw = eml(f"Re: [{incident.reference}]", agent.email, "Your data is gone.", headers=headers)
    result = ingest(raw, "t")
    assert result.outcome == outcome
    message = newest_message(incident)
    assert message.author_id == agent.id
    if outcome == "flagged":
        assert (message.kind, message.needs_review) == (NOTE, True)
        assert message.review_reason.startswith("Not trusted as agent mail:")
        assert result.detail.startswith("Not trusted as agent mail:")
        assert len(mail_to(requester.email)) == before  # nothing forged reaches the requester
        query = select(AuditEvent).where(AuditEvent.action == "mail_flagged")
        (event,) = db.session.scalars(query).all()
        assert event.details["reason"].startswith("Not trusted as agent mail:")
    else:
        assert message.kind == REPLY
        assert len(mail_to(requester.email)) == before + 1


def test_stranger_mail_is_a_flagged_note_that_the_requester_never_gets(app):
    requester = gen_user(email="ada@example.org")
    incident = gen_incident(requester)
    before = len(mail_to(requester.email))
    raw = eml(subject=f"[{incident.reference}] hi", sender="Eve <eve@elsewhere.example>")
    result = ingest(raw, "t")
    assert (result.outcome, result.reference) == ("flagged", incident.reference)
    message = newest_message(incident)
    assert (message.kind, message.needs_review) == (NOTE, True)
    assert message.author.email == "eve@elsewhere.example"
    assert message.review_reason == f"eve@elsewhere.example is not on {incident.reference}."
    assert result.detail == f"{message.review_reason} Kept as a note for review."
    assert not message.author.has_password
    assert len(mail_to(requester.email)) == before
    assert count(AuditEvent, AuditEvent.action == "mail_flagged") == 1


def test_reply_reopens_a_resolved_incident_within_the_window(app):
    requester, agent = gen_user(email="ada@example.org"), gen_user("agent")
    incident = gen_incident(requester)
    incidents.resolve(incident, agent, "fixed", "Replaced the toner.", None)
    ingest(eml(subject=f"Re: [{incident.reference}]", body="Still jammed."), "t")
    assert incident.status == "in_progress"


def test_reply_long_after_resolution_opens_a_linked_follow_up(app):
    requester, agent = gen_user(email="ada@example.org"), gen_user("agent")
    incident = gen_incident(requester, subject="Printer jam")
    incidents.resolve(incident, agent, "fixed", "Replaced the toner.", None)
    incident.resolved_at = utcnow() - timedelta(days=app.config["REOPEN_WINDOW_DAYS"] + 1)
    db.session.commit()
    result = ingest(eml(subject=f"Re: [{incident.reference}] Printer jam", body="Again!"), "t")
    assert result.outcome == "follow_up"
    follow_up = db.session.scalars(select(Incident).where(Incident.id != incident.id)).one()
    assert result.reference == follow_up.reference
    assert (follow_up.subject, follow_up.reopened_from_id) == ("Printer jam", incident.id)
    assert follow_up.description == "Again!"
    assert count(IncidentLink) == 1
    assert incident.status == "resolved"


def test_reply_to_a_closed_incident_opens_a_follow_up(app):
    requester, agent = gen_user(email="ada@example.org"), gen_user("agent")
    incident = gen_incident(requester)
    incidents.cancel(incident, agent, "Reported twice.")
    assert ingest(eml(subject=f"[{incident.reference}]"), "t").outcome == "follow_up"
    assert count(Incident) == 2


def test_agent_mail_on_a_closed_incident_is_kept_as_a_note(app):
    agent = gen_user("agent", email="grace@helpdesk.example")
    incident = gen_incident(gen_user(email="ada@example.org"))
    incidents.cancel(incident, agent, "Reported twice.")
    raw = eml(subject=f"[{incident.reference}]", sender=agent.email, body="For the record.")
    assert ingest(raw, "t").outcome == "reply"
    assert (newest_message(incident).kind, count(Incident)) == (NOTE, 1)


def test_reply_to_a_merged_incident_lands_in_the_one_it_was_merged_into(app):
    requester, agent = gen_user(email="ada@example.org"), gen_user("agent")
    duplicate, target = gen_incident(requester), gen_incident(requester)
    incidents.merge(duplicate, agent, target)
    result = ingest(eml(subject=f"Re: [{duplicate.reference}]", body="Any news?"), "t")
    assert (result.outcome, result.reference) == ("reply", target.reference)
    assert newest_message(target).body == "Any news?"


def test_out_of_office_on_an_incident_is_a_note_and_does_not_reopen(app):
    requester, agent = gen_user(email="ada@example.org"), gen_user("agent")
    incident = gen_incident(requester)
    incidents.resolve(incident, agent, "fixed", "Done.", None)
    outbox_before = count(OutboundEmail)
    raw = eml(
        subject=f"Automatic reply: [{incident.reference}]",
        body="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    result = ingest(raw, "t")
    assert (result.outcome, result.reference) == ("ignored", incident.reference)
    note = newest_message(incident)
    assert note.kind == NOTE and note.author_id is None
    assert "I am away until Monday." in note.body
    assert incident.status == "resolved"
    assert count(OutboundEmail) == outbox_before


# Duplicates and races


def test_the_same_mail_delivered_twice_makes_one_incident(app):
    raw = eml(message_id="<twice@example.org>")
    first, second = ingest(raw, "t"), ingest(raw, "t")
    assert first.outcome == "new_incident"
    assert (second.outcome, second.reference) == ("duplicate", first.reference)
    assert count(Incident) == 1 and count(ReceivedEmail) == 1


def test_mail_without_message_id_is_deduplicated_by_content(app):
    raw = eml().replace(b"Message-ID:", b"X-Old-Message-ID:")
    assert [ingest(raw, "t").outcome for _ in range(2)] == ["new_incident", "duplicate"]


def test_losing_a_race_with_another_gateway_reports_a_duplicate(app, monkeypatch):
    raw = eml(message_id="<raced@example.org>")
    ingest(raw, "gateway A")
    # Gateway B checked before A committed: it saw no record, and only its commit tells it.
    real = ledger.received
    answers = iter([None])
    monkeypatch.setattr(ledger, "received", lambda key: next(answers, real(key)))
    result = ingest(raw, "gateway B")
    assert result.outcome == "duplicate"
    assert count(Incident) == 1 and count(Message) == 1 and count(QuarantinedEmail) == 0


# Bounces


def bounce(original_id: str, recipient: str) -> bytes:
    """A standard delivery status notification (RFC 3464) for one of our mails."""
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {SUPPORT}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {SUPPORT}\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "--B--\r\n"
    ).encode()


def test_bounce_is_noted_on_the_incident_and_marks_the_address(app):
    requester = gen_user(email="ada@example.org")
    incident = gen_incident(requester)
    (ack,) = mail_to(requester.email)
    result = ingest(bounce(ack.message_id, requester.email), "t")
    assert (result.outcome, result.reference) == ("bounce", incident.reference)
    assert count(Incident) == 1
    note = newest_message(incident)
    assert note.kind == NOTE and "User unknown" in note.body
    assert requester.bouncing_until > utcnow() + timedelta(days=6)
    assert "User unknown" in requester.bounce_reason


def test_bounce_without_a_matching_mail_opens_nothing(app):
    result = ingest(bounce("<gone@helpdesk.localhost>", "nobody@example.org"), "t")
    assert (result.outcome, result.reference) == ("bounce", None)
    assert count(Incident) == 0 and count(Message) == 0


def test_bounce_found_by_recipient_when_the_original_id_is_unknown(app):
    requester = gen_user(email="ada@example.org")
    incident = gen_incident(requester)
    result = ingest(bounce("<not-ours@x>", requester.email), "t")
    assert result.reference == incident.reference
    assert db.session.get(User, requester.id).bouncing_until is not None


# Quarantine and failures


def test_mail_without_a_sender_is_quarantined_with_the_error_and_the_original(app):
    raw = eml(sender="", message_id="<nosender@example.org>")
    result = ingest(raw, "imap://inbox/9")
    assert result.outcome == "quarantined"
    entry = only(QuarantinedEmail)
    assert entry.error == result.detail and entry.error.startswith(NO_SENDER)
    assert (entry.dedupe_key, entry.source, entry.state) == (
        "<nosender@example.org>",
        "imap://inbox/9",
        "pending",
    )
    assert (Path(app.config["ATTACHMENT_DIR"]) / entry.raw_path).read_bytes() == raw
    assert only(ReceivedEmail).outcome == "quarantined"
    assert count(Incident) == 0
    assert ingest(raw, "imap://inbox/9").outcome == "duplicate"  # never re-processed in a loop
    assert count(QuarantinedEmail) == 1


def test_a_from_header_the_parser_could_not_reach_is_named_as_the_reason(app):
    # A header line with a broken name ends the header block for the stdlib parser, so
    # the From line below it lands in the body: the agent is told why, not "invalid".
    raw = (
        b"Message-ID: <lost-from@example.org>\r\nTo\xff: support@helpdesk.localhost\r\n"
        b"From: Ada <ada@example.org>\r\nSubject: Printer\r\n\r\nIt jams.\r\n"
    )
    result = ingest(raw, "t")
    assert result.outcome == "quarantined"
    assert result.detail.startswith(NO_SENDER)
    assert "missing header body separator" in result.detail  # the parser's defect comes along


def test_raw_bytes_quoted_in_a_defect_still_reach_the_quarantine(app):
    # The stdlib quotes a broken part header, raw 8-bit byte and all, in its defect; the
    # database refused that text, so the mail could be neither applied nor quarantined.
    raw = (
        b"Message-ID: <raw-defect@example.org>\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\n (Caf\xe9 line)\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n"
    )
    result = ingest(raw, "t")
    assert result.outcome == "quarantined"
    entry = only(QuarantinedEmail)
    assert entry.error.startswith(NO_SENDER) and "(Café line)" in entry.error


def test_a_mailbox_name_beyond_ascii_opens_an_incident_without_mailing_it(app):
    raw = (
        b"From: =?utf-8?q?J=C3=B6rg?= <j\xc3\xb6rg@example.de>\r\n"
        b"To: support@helpdesk.localhost\r\nSubject: VPN\r\n"
        b"Message-ID: <eai@example.de>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"The VPN drops.\r\n"
    )
    result = ingest(raw, "t")
    assert result.outcome == "new_incident"
    assert only(Incident).requester.email == "jörg@example.de"
    assert count(OutboundEmail) == 0  # an SMTPUTF8 address: no acknowledgement, no crash


def test_an_international_domain_is_acknowledged_at_its_ascii_spelling(app):
    result = ingest(eml(sender="Ana <ana@bücher.example>"), "t")
    assert result.outcome == "new_incident"
    (row,) = mail_to("ana@bücher.example")
    assert b"<ana@xn--bcher-kva.example>" in row.raw
    assert "bücher".encode() not in row.raw


def test_a_bug_while_applying_quarantines_instead_of_losing_the_mail(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(incidents, "open_reported", broken)
    result = ingest(eml(), "t")
    assert result.outcome == "quarantined"
    assert only(QuarantinedEmail).error.startswith("RuntimeError: boom")
    assert count(Incident) == 0


def test_a_database_failure_propagates_and_records_nothing(app, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("INSERT ...", {}, Exception("server closed the connection"))

    monkeypatch.setattr(incidents, "open_reported", database_down)
    with pytest.raises(OperationalError):
        ingest(eml(), "t")
    assert count(ReceivedEmail) == 0 and count(QuarantinedEmail) == 0
