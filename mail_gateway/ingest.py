"""Taking one email in: parse, dedupe, classify, keep the original, route, and apply.

Transactions: applying one email is one unit of work, or part of a bigger one (the IMAP
poller takes a whole batch in one transaction, helpdesk.core.unit.transaction). The
service calls it makes join it, so the ReceivedEmail row (ledger.py), any new accounts,
the incident or message and the queued mail commit together.

A mail that cannot be applied is rolled back to its SAVEPOINT and then stops the pass or
is quarantined, as failures.fate decides.

Machine-written mail follows the policy table in loops.py: our own mail is only recorded;
an auto-reply, list or noreply mail that matches an incident becomes a system-authored
internal note there (agents learn the requester is away; nothing is mailed, nothing
reopens); unmatched list and noreply mail opens an incident without acknowledgement (it
may be a monitoring alert); an unmatched auto-reply is only recorded. All of these are
recorded with the outcome "ignored", with the incident they were noted on, if any.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from helpdesk import accounts, incidents
from helpdesk.core.blobs import write_blob
from helpdesk.core.settings import settings
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.incidents import mail_notes
from helpdesk.incidents.attachments import NewAttachment
from helpdesk.models import Incident, OutboundEmail, QuarantinedEmail, User, utcnow
from helpdesk.models import mail as outcomes
from helpdesk.notify import message_ids
from mail_gateway import authentication, failures, ledger, lookups, loops, route
from mail_gateway.fitting import fit_to_limits
from mail_gateway.ledger import DUPLICATE, RACE_LOST, Delivery, IngestResult
from mail_gateway.parse import parse
from mail_gateway.parsed_mail import ParsedMail
from mail_gateway.quotes import strip_quoted

MACHINE_LABELS = {
    "auto_reply": "Automatic reply",
    "bulk": "Bulk mail",
    "system_sender": "Mail from an unattended address",
}
NO_SENDER = "The mail has no sender address: its From header is missing or could not be read."
NOT_MAIL = "This is not an email: it has no mail headers (From, To, Subject ...)."

log = logging.getLogger(__name__)


def ingest(raw: bytes, source: str, *, retrying: QuarantinedEmail | None = None) -> IngestResult:
    """Apply one raw email to the helpdesk and say what became of it (see the module doc).

    `retrying` is the quarantine entry this mail comes from when an agent retries it.
    """
    limit = settings().limits.max_upload_bytes
    return ingest_mail(parse(raw, max_part_bytes=limit), source, retrying=retrying)


def ingest_mail(
    mail: ParsedMail, source: str, *, retrying: QuarantinedEmail | None = None
) -> IngestResult:
    """Apply an already parsed email (parse() never raises; see `ingest`)."""
    with transaction():
        key = ledger.safe_key(mail.dedupe_key)
        earlier = ledger.received(key)
        if earlier is not None and not (retrying and earlier.outcome == outcomes.QUARANTINED):
            return ledger.earlier_result(earlier)
        delivery = Delivery(mail, key, source[:255], write_blob(mail.raw)[1], retrying=retrying)
        return _apply_or_quarantine(delivery)


def _apply_or_quarantine(delivery: Delivery) -> IngestResult:
    """Apply the mail in a SAVEPOINT; when that fails, undo it and do what failures.fate
    says: stop the pass, or quarantine the mail (a duplicate that lost a race to another
    gateway is only counted as one)."""
    try:
        with db.session.begin_nested():
            return _apply(delivery)
    except Exception as error:
        if failures.fate(error, applying=True) == failures.STOP:
            raise
        if isinstance(error, IntegrityError) and _lost_race(delivery):
            return IngestResult(DUPLICATE, None, RACE_LOST)
        if not isinstance(error, (incidents.DomainError, IntegrityError)):
            log.exception("mail %s could not be processed", delivery.key)
        return ledger.quarantine(delivery, error)


def _lost_race(delivery: Delivery) -> bool:
    """True when another gateway recorded this very mail while we applied it."""
    return delivery.retrying is None and ledger.received(delivery.key) is not None


def own_addresses() -> set[str]:
    """The support address and every other address that delivers to this helpdesk."""
    return {a.strip().lower() for a in settings().site.own_addresses if a.strip()}


def _apply(delivery: Delivery) -> IngestResult:
    """Send the mail down the path its kind and route call for (policy: see loops.py)."""
    if not delivery.mail.headers:  # e.g. a document in a folder given to `mail import`
        raise incidents.InvalidInput(NOT_MAIL)
    kind = delivery.kind = loops.classify(delivery.mail, own_addresses())
    if kind == loops.MailKind.BOUNCE:
        return _bounce(delivery)
    if loops.is_ignored(kind):
        return _record_only(delivery)
    if not delivery.mail.from_address:
        raise incidents.InvalidInput(NO_SENDER)
    incident = _routed_incident(delivery.mail)
    if incident is None:
        return _new_incident(delivery) if loops.creates_incident(kind) else _record_only(delivery)
    if loops.threads_as_note(kind):
        return _machine_note(delivery, incident)
    return _on_incident(delivery, incident)


def _record_only(delivery: Delivery) -> IngestResult:
    """Record mail that neither opens nor joins an incident (our own, a stray auto-reply)."""
    return ledger.record(delivery, outcomes.IGNORED, f"Recorded only: {delivery.kind} mail.")


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
        email_message_id=ledger.message_id_of(mail),
        body_html=mail.html,
        acknowledge=loops.may_acknowledge(delivery.kind),
    )
    first = incidents.open_reported(requester, report)
    detail = f"New incident from {mail.from_address}."
    return ledger.record(delivery, outcomes.NEW_INCIDENT, detail, first.incident, first)


def _participants(mail: ParsedMail) -> list[User]:
    """Accounts for the Cc'd addresses (not ours, not the sender's), when so configured."""
    if not settings().mail.cc_become_participants:
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
    if standing == route.AGENT:
        check = _sender_authentication(mail)
        if not check.authenticated:
            return _flagged(delivery, incident, f"Not trusted as agent mail: {check.reason}")
    assert sender is not None  # requesters, participants and agents all have accounts
    body, files = _body_and_files(mail, _reply_text(mail))
    window = settings().reopen_window.days
    decision = route.disposition(standing, incident.status, incident.resolved_at, utcnow(), window)
    if decision == route.AS_FOLLOW_UP:
        return _follow_up(delivery, incident, sender, body, files)
    if decision == route.AS_NOTE:
        detail = f"Agent mail on {incident.reference}, which is finished: kept as a note."
        message = mail_notes.add_mail_note(
            incident, sender, body, files, ledger.message_id_of(mail), mail.html
        )
        return ledger.record(delivery, outcomes.REPLY, detail, incident, message)
    message = incidents.add_reply(
        incident,
        sender,
        body,
        channel="email",
        attachments=files,
        email_message_id=ledger.message_id_of(mail),
        body_html=mail.html,
    )
    detail = f"Reply from {mail.from_address} ({standing})."
    return ledger.record(delivery, outcomes.REPLY, detail, incident, message)


def _follow_up(
    delivery: Delivery, finished: Incident, sender: User, body: str, files: list[NewAttachment]
) -> IngestResult:
    """Open a new incident linked to a finished one for news about it."""
    mail = delivery.mail
    report = incidents.IncidentReport(
        subject=route.follow_up_subject(
            mail.subject, settings().site.reference_prefix, finished.subject
        ),
        description=body,
        channel="email",
        attachments=files,
        email_message_id=ledger.message_id_of(mail),
        body_html=mail.html,
    )
    detail = f"News on {finished.reference} ({finished.status}): opened a follow-up."
    first = incidents.open_follow_up(finished, sender, report)
    return ledger.record(delivery, outcomes.FOLLOW_UP, detail, first.incident, first)


def _sender_authentication(mail: ParsedMail) -> authentication.Authentication:
    """Whether the receiving mail server vouches for the From address (see authentication.py)."""
    return authentication.authenticate_sender(
        mail.authentication_results,
        mail.from_address,
        settings().mail.trusted_authserv_ids,
    )


def _flagged(delivery: Delivery, incident: Incident, reason: str = "") -> IngestResult:
    """Keep a stranger's (or an unauthenticated agent's) mail on the incident as an internal
    note for an agent to review."""
    mail = delivery.mail
    author = accounts.ensure_user_for_email(mail.from_address, mail.from_name)
    body, files = _body_and_files(mail, _reply_text(mail))
    message = mail_notes.add_flagged_note(
        incident, author, body, files, ledger.message_id_of(mail), mail.html, reason
    )
    detail = f"{message.review_reason} Kept as a note for review."
    return ledger.record(delivery, outcomes.FLAGGED, detail, incident, message)


def _machine_note(delivery: Delivery, incident: Incident) -> IngestResult:
    """Keep machine-written mail (an out-of-office, a list or noreply mail) as a note."""
    mail = delivery.mail
    text = f"{MACHINE_LABELS.get(delivery.kind, 'Automatic mail')} from {mail.from_address}:"
    body, files = _body_and_files(mail, f"{text}\n\n{_reply_text(mail)}")
    detail = f"{delivery.kind} mail, kept as an internal note on {incident.reference}."
    message = mail_notes.add_mail_note(incident, None, body, files, ledger.message_id_of(mail))
    return ledger.record(delivery, outcomes.IGNORED, detail, incident, message)


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
    message = mail_notes.record_bounce(addresses, reason, incident, ledger.message_id_of(mail))
    return ledger.record(delivery, outcomes.BOUNCE, detail, incident, message)


def _routed_incident(mail: ParsedMail) -> Incident | None:
    """Find the incident a mail belongs to (subject token, then headers), following merges."""
    ids = route.header_ids(mail.in_reply_to, mail.references)
    known = lookups.incident_ids_for_message_ids(ids)
    found = route.decide_route(
        mail.subject,
        ids,
        settings().site.reference_prefix,
        route.Lookups(lookups.incident_id_for_reference, _signed_incident_id, known.get),
    )
    return _final_incident(found.incident_id)


def _signed_incident_id(message_id: str) -> int | None:
    """The incident one of our signed Message-IDs names, if genuine and still there."""
    signed = message_ids.verify(message_id)
    return lookups.existing_incident_id(signed.incident_id) if signed else None


def _final_incident(incident_id: int | None) -> Incident | None:
    """Load an incident, or the one it was merged into."""
    if incident_id is None:
        return None
    return db.session.get(Incident, route.follow_merges(incident_id, lookups.merged_into_id))


def _bounced_outbound(mail: ParsedMail) -> OutboundEmail | None:
    """The outbound mail a bounce reports as failed, if we can tell."""
    if mail.report is None:
        return None
    return lookups.bounced_outbound(
        mail.report.original_message_id, list(mail.report.failed_recipients)
    )


def _reply_text(mail: ParsedMail) -> str:
    """The new part of a reply; the whole text when stripping would leave nothing."""
    return strip_quoted(mail.text).strip() or mail.text


def _body_and_files(mail: ParsedMail, text: str) -> tuple[str, list[NewAttachment]]:
    """The text and files for a message, fitted to the limits messages have."""
    ordered = sorted(mail.attachments, key=lambda a: a.inline)  # real files before inline
    files = [
        NewAttachment(a.filename or "attachment", a.content_type, a.data)
        for a in ordered
        if not a.omitted_size
    ]
    unread = [(a.filename or "attachment", a.omitted_size) for a in ordered if a.omitted_size]
    return fit_to_limits(text, files, unread)
