"""Taking one email in: parse, dedupe, classify, keep the original, route, and apply.

Transactions: applying one email is one unit of work. The service calls it makes join it
(helpdesk.incidents.unit), so the ReceivedEmail row, any new accounts, the incident or
message and the queued mail commit together, once. The row's unique dedupe key then makes
a re-fetch, a double delivery or a second gateway harmless: the loser of a race gets an
IntegrityError and reports a duplicate.

A mail that cannot be applied (a DomainError, or any bug) is quarantined with the error
and recorded as received, so it is never dropped and never retried in a loop; database
and disk trouble propagates instead, so the caller leaves the mail on the server.

Machine-written mail follows the policy table in loops.py: our own mail is only recorded;
an auto-reply, list or noreply mail that matches an incident becomes a system-authored
internal note there (agents learn the requester is away; nothing is mailed, nothing
reopens); unmatched list and noreply mail opens an incident without acknowledgement (it
may be a monitoring alert); an unmatched auto-reply is only recorded. All of these are
recorded with the outcome "ignored", with the incident they were noted on, if any.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from helpdesk import accounts, incidents
from helpdesk.extensions import db
from helpdesk.incidents import intake
from helpdesk.incidents.attachments import NewAttachment, write_blob
from helpdesk.incidents.unit import commit, unit_of_work
from helpdesk.models import (
    Incident,
    Message,
    OutboundEmail,
    QuarantinedEmail,
    ReceivedEmail,
    User,
    utcnow,
)
from helpdesk.models import mail as outcomes
from helpdesk.notify import message_ids
from mail_gateway import loops, route
from mail_gateway.parse import parse
from mail_gateway.parsed import ParsedMail
from mail_gateway.quotes import strip_quoted

DUPLICATE = "duplicate"
MACHINE_LABELS = {
    "auto_reply": "Automatic reply",
    "bulk": "Bulk mail",
    "system_sender": "Mail from an unattended address",
}
# Trouble with the database or the disk: try again later rather than quarantine.
INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, OSError)
KEY_MAX = 255
RACE_LOST = "Received by another process at the same time."

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    """What became of one email: an outcome, the incident it touched, and why."""

    outcome: str  # one of helpdesk.models.mail.OUTCOMES, or "duplicate"
    reference: str | None = None
    detail: str = ""


@dataclass
class Delivery:
    """One email on its way through the pipeline, with where its original is kept."""

    mail: ParsedMail
    key: str  # the dedupe key, fitted to its column
    source: str
    raw_path: str = ""
    kind: loops.MailKind = loops.MailKind.NORMAL
    retrying: QuarantinedEmail | None = None


def ingest(raw: bytes, source: str, *, retrying: QuarantinedEmail | None = None) -> IngestResult:
    """Apply one raw email to the helpdesk and say what became of it (see the module doc).

    `retrying` is the quarantine entry this mail comes from when an agent retries it.
    """
    return ingest_mail(parse(raw), source, retrying=retrying)


def ingest_mail(
    mail: ParsedMail, source: str, *, retrying: QuarantinedEmail | None = None
) -> IngestResult:
    """Apply an already parsed email (parse() never raises; see `ingest`)."""
    key = safe_key(mail.dedupe_key)
    earlier = _received(key)
    if earlier is not None and not (retrying and earlier.outcome == outcomes.QUARANTINED):
        return IngestResult(DUPLICATE, _reference(earlier.incident_id), "Already received.")
    delivery = Delivery(mail, key, source[:255], write_blob(mail.raw)[1], retrying=retrying)
    try:
        return _apply(delivery)
    except INFRASTRUCTURE_ERRORS:
        db.session.rollback()
        raise
    except IntegrityError as error:
        db.session.rollback()
        if retrying is None and _received(key) is not None:
            return IngestResult(DUPLICATE, None, RACE_LOST)
        return _quarantine(delivery, error)
    except Exception as error:  # a bad mail or a bug: keep it for an agent, never drop it
        db.session.rollback()
        if not isinstance(error, incidents.DomainError):
            log.exception("mail %s could not be processed", key)
        return _quarantine(delivery, error)


def safe_key(key: str) -> str:
    """Keep a dedupe key within its column; an overlong Message-ID is hashed instead."""
    if len(key) <= KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def own_addresses() -> set[str]:
    """The support address and every other address that delivers to this helpdesk."""
    config = current_app.config
    addresses = [config["SUPPORT_ADDRESS"], *config.get("HELPDESK_ADDRESSES", [])]
    return {a.strip().lower() for a in addresses if a and a.strip()}


@unit_of_work
def _apply(delivery: Delivery) -> IngestResult:
    """Send the mail down the path its kind and route call for (policy: see loops.py)."""
    kind = delivery.kind = loops.classify(delivery.mail, own_addresses())
    if kind == loops.MailKind.BOUNCE:
        return _bounce(delivery)
    if loops.is_ignored(kind):
        return _record_only(delivery)
    incident = _routed_incident(delivery.mail)
    if incident is None:
        return _new_incident(delivery) if loops.creates_incident(kind) else _record_only(delivery)
    if loops.threads_as_note(kind):
        return _machine_note(delivery, incident)
    return _on_incident(delivery, incident)


def _record_only(delivery: Delivery) -> IngestResult:
    """Record mail that neither opens nor joins an incident (our own, a stray auto-reply)."""
    return _settle(
        _stage(delivery, outcomes.IGNORED, f"Recorded only: {delivery.kind} mail."), None, None
    )


def _new_incident(delivery: Delivery) -> IngestResult:
    """Open an incident for the sender, with Cc'd people as participants."""
    mail = delivery.mail
    requester = accounts.ensure_user_for_email(mail.from_address, mail.from_name)
    body, files = _body_and_files(mail, mail.text)
    report = incidents.IncidentReport(
        subject=route.new_subject(mail.subject),
        description=body,
        channel="email",
        attachments=files,
        participants=_participants(mail),
        email_message_id=_message_id(mail),
        body_html=mail.html,
        acknowledge=loops.may_acknowledge(delivery.kind),
    )
    received = _stage(delivery, outcomes.NEW_INCIDENT, f"New incident from {mail.from_address}.")
    incident = incidents.open_incident(requester, report)
    return _settle(received, incident, _first_message(incident))


def _participants(mail: ParsedMail) -> list[User]:
    """Accounts for the Cc'd addresses (not ours, not the sender's), when so configured."""
    if not current_app.config["CC_BECOME_PARTICIPANTS"]:
        return []
    skip = own_addresses() | {mail.from_address.lower()}
    wanted = dict.fromkeys(a.lower() for a in mail.cc if a and a.lower() not in skip)
    return [accounts.ensure_user_for_email(address) for address in wanted]


def _on_incident(delivery: Delivery, incident: Incident) -> IngestResult:
    """Thread mail into an existing incident as its sender's standing allows."""
    mail = delivery.mail
    sender = accounts.find_by_email(mail.from_address)
    standing = route.sender_standing(
        mail.from_address,
        incident.requester.email,
        [p.email for p in incident.participants],
        sender is not None and sender.is_agent and sender.active,
    )
    if not route.is_trusted(standing):
        return _flagged(delivery, incident)
    assert sender is not None  # requesters, participants and agents all have accounts
    body, files = _body_and_files(mail, _reply_text(mail))
    window = int(current_app.config["REOPEN_WINDOW_DAYS"])
    decision = route.disposition(standing, incident.status, incident.resolved_at, utcnow(), window)
    if decision == route.AS_FOLLOW_UP:
        return _follow_up(delivery, incident, sender, body, files)
    if decision == route.AS_NOTE:
        detail = f"Agent mail on {incident.reference}, which is finished: kept as a note."
        received = _stage(delivery, outcomes.REPLY, detail)
        message = intake.add_mail_note(incident, sender, body, files, _message_id(mail), mail.html)
        return _settle(received, incident, message)
    received = _stage(delivery, outcomes.REPLY, f"Reply from {mail.from_address} ({standing}).")
    message = incidents.add_reply(
        incident,
        sender,
        body,
        channel="email",
        attachments=files,
        email_message_id=_message_id(mail),
        body_html=mail.html,
    )
    return _settle(received, incident, message)


def _follow_up(
    delivery: Delivery, finished: Incident, sender: User, body: str, files: list[NewAttachment]
) -> IngestResult:
    """Open a new incident linked to a finished one for news about it."""
    mail = delivery.mail
    report = incidents.IncidentReport(
        subject=route.follow_up_subject(
            mail.subject, current_app.config["REFERENCE_PREFIX"], finished.subject
        ),
        description=body,
        channel="email",
        attachments=files,
        email_message_id=_message_id(mail),
        body_html=mail.html,
    )
    detail = f"News on {finished.reference} ({finished.status}): opened a follow-up."
    received = _stage(delivery, outcomes.FOLLOW_UP, detail)
    incident = incidents.open_follow_up(finished, sender, report)
    return _settle(received, incident, _first_message(incident))


def _flagged(delivery: Delivery, incident: Incident) -> IngestResult:
    """Keep a stranger's mail on the incident as an internal note for an agent to review."""
    mail = delivery.mail
    stranger = accounts.ensure_user_for_email(mail.from_address, mail.from_name)
    body, files = _body_and_files(mail, _reply_text(mail))
    detail = f"{mail.from_address} is not on {incident.reference}: kept as a note for review."
    received = _stage(delivery, outcomes.FLAGGED, detail)
    message = intake.add_flagged_note(incident, stranger, body, files, _message_id(mail), mail.html)
    return _settle(received, incident, message)


def _machine_note(delivery: Delivery, incident: Incident) -> IngestResult:
    """Keep machine-written mail (an out-of-office, a list or noreply mail) as a note."""
    mail = delivery.mail
    text = f"{MACHINE_LABELS.get(delivery.kind, 'Automatic mail')} from {mail.from_address}:"
    body, files = _body_and_files(mail, f"{text}\n\n{_reply_text(mail)}")
    detail = f"{delivery.kind} mail, kept as an internal note on {incident.reference}."
    received = _stage(delivery, outcomes.IGNORED, detail)
    message = intake.add_mail_note(incident, None, body, files, _message_id(mail))
    return _settle(received, incident, message)


def _bounce(delivery: Delivery) -> IngestResult:
    """Note a bounce on the incident whose mail bounced and stop mailing that address."""
    mail = delivery.mail
    outbound = _bounced_outbound(mail)
    incident = _final_incident(outbound.incident_id if outbound else None)
    incident = incident or _routed_incident(mail)
    addresses = list(mail.report.failed_recipients) if mail.report else []
    if not addresses and outbound is not None:
        addresses = [outbound.recipient]
    reason = mail.report.reason if mail.report else ""
    where = f" on {incident.reference}" if incident else ""
    detail = f"Bounce for {', '.join(addresses) or 'an unknown address'}{where}."
    received = _stage(delivery, outcomes.BOUNCE, detail)
    message = intake.record_bounce(addresses, reason, incident, _message_id(mail))
    return _settle(received, incident, message)


def _routed_incident(mail: ParsedMail) -> Incident | None:
    """Find the incident a mail belongs to (subject token, then headers), following merges."""
    ids = route.header_ids(mail.in_reply_to, mail.references)
    known = intake.incident_ids_for_message_ids(ids)
    found = route.decide_route(
        mail.subject,
        ids,
        current_app.config["REFERENCE_PREFIX"],
        route.Lookups(intake.incident_id_for_reference, _signed_incident_id, known.get),
    )
    return _final_incident(found.incident_id)


def _signed_incident_id(message_id: str) -> int | None:
    """The incident one of our signed Message-IDs names, if genuine and still there."""
    signed = message_ids.verify(message_id)
    return intake.existing_incident_id(signed.incident_id) if signed else None


def _final_incident(incident_id: int | None) -> Incident | None:
    """Load an incident, or the one it was merged into."""
    if incident_id is None:
        return None
    return db.session.get(Incident, route.follow_merges(incident_id, intake.merged_into_id))


def _bounced_outbound(mail: ParsedMail) -> OutboundEmail | None:
    """The outbound mail a bounce reports as failed, if we can tell."""
    if mail.report is None:
        return None
    return intake.bounced_outbound(
        mail.report.original_message_id, list(mail.report.failed_recipients)
    )


def _message_id(mail: ParsedMail) -> str | None:
    """The Message-ID to store on the message, when it fits its column."""
    if mail.message_id and len(mail.message_id) <= KEY_MAX:
        return mail.message_id
    return None


def _reply_text(mail: ParsedMail) -> str:
    """The new part of a reply; the whole text when stripping would leave nothing."""
    return strip_quoted(mail.text).strip() or mail.text


def _body_and_files(mail: ParsedMail, text: str) -> tuple[str, list[NewAttachment]]:
    """The text and files for a message, fitted to the limits messages have."""
    ordered = sorted(mail.attachments, key=lambda a: a.inline)  # real files before inline
    files = [NewAttachment(a.filename or "attachment", a.content_type, a.data) for a in ordered]
    return intake.fit_to_limits(text, files)


def _stage(delivery: Delivery, outcome: str, detail: str) -> ReceivedEmail:
    """Add (or, on a retry, reuse) the ReceivedEmail row for the coming commit."""
    mail = delivery.mail
    row = (delivery.retrying and _received(delivery.key)) or ReceivedEmail(dedupe_key=delivery.key)
    row.message_id = _message_id(mail)
    row.sender = mail.from_address[:254]
    row.subject = mail.subject[:255]
    row.outcome = outcome
    row.detail = detail
    row.raw_path = delivery.raw_path
    row.size = len(mail.raw)
    row.source = delivery.source
    row.received_at = utcnow()
    db.session.add(row)
    if delivery.retrying is not None and outcome != outcomes.QUARANTINED:
        delivery.retrying.state = "retried"
        delivery.retrying.resolved_at = utcnow()
    return row


def _settle(
    received: ReceivedEmail, incident: Incident | None, message: Message | None
) -> IngestResult:
    """Link the committed ReceivedEmail row to what the mail became, and report it."""
    received.incident_id = incident.id if incident else None
    received.message_row_id = message.id if message else None
    commit()
    return IngestResult(received.outcome, incident.reference if incident else None, received.detail)


def _quarantine(delivery: Delivery, error: Exception) -> IngestResult:
    """Keep a mail that could not be applied, with the error, for an agent to act on."""
    mail = delivery.mail
    text = describe(error, mail)
    entry = delivery.retrying or QuarantinedEmail(dedupe_key=delivery.key)
    entry.sender = mail.from_address[:254]
    entry.subject = mail.subject[:255]
    entry.error = text
    entry.raw_path = delivery.raw_path
    entry.size = len(mail.raw)
    entry.source = entry.source or delivery.source
    db.session.add(entry)
    _stage(delivery, outcomes.QUARANTINED, text)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return IngestResult(DUPLICATE, None, RACE_LOST)
    return IngestResult(outcomes.QUARANTINED, None, text)


def describe(error: Exception, mail: ParsedMail) -> str:
    """Say why a mail was quarantined: the refusal, or the bug, plus what the parser noticed."""
    if isinstance(error, incidents.DomainError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    if mail.defects:
        text += "\nDefects: " + "; ".join(mail.defects[:10])
    return text


def _first_message(incident: Incident) -> Message | None:
    """The message that opened an incident."""
    return db.session.scalars(
        select(Message).where(Message.incident_id == incident.id).order_by(Message.id)
    ).first()


def _received(dedupe_key: str) -> ReceivedEmail | None:
    """The record of an earlier mail with this key, if any."""
    return db.session.scalars(
        select(ReceivedEmail).where(ReceivedEmail.dedupe_key == dedupe_key)
    ).first()


def _reference(incident_id: int | None) -> str | None:
    """The reference of an incident by id, if it still exists."""
    incident = db.session.get(Incident, incident_id) if incident_id else None
    return incident.reference if incident else None
