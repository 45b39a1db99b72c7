"""The gateway's ledger: one ReceivedEmail row per mail taken in, and a QuarantinedEmail row
for each mail that could not be applied.

The row's unique dedupe key (the Message-ID, or a content hash) is what makes a re-fetch,
a double delivery or a second gateway harmless: it is written in the same transaction as
whatever the mail became, so "recorded" and "applied" can never disagree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from helpdesk import incidents
from helpdesk.extensions import db
from helpdesk.models import Incident, Message, QuarantinedEmail, ReceivedEmail, utcnow
from helpdesk.models import mail as outcomes
from mail_gateway import loops
from mail_gateway.decode import printable, unsurrogate
from mail_gateway.parsed_mail import ParsedMail

DUPLICATE = "duplicate"
KEY_MAX = 255
RACE_LOST = "Received by another process at the same time."


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


def safe_key(key: str) -> str:
    """Keep a dedupe key within its column; an overlong Message-ID is hashed instead."""
    if len(key) <= KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def message_id_of(mail: ParsedMail) -> str | None:
    """The Message-ID to store on rows and messages, when it fits their columns."""
    if mail.message_id and len(mail.message_id) <= KEY_MAX:
        return mail.message_id
    return None


def received(dedupe_key: str) -> ReceivedEmail | None:
    """The record of an earlier mail with this key, if any."""
    return db.session.scalars(
        select(ReceivedEmail).where(ReceivedEmail.dedupe_key == dedupe_key)
    ).first()


def earlier_result(earlier: ReceivedEmail) -> IngestResult:
    """The answer for a mail received before: a duplicate, with the incident it went to."""
    incident = db.session.get(Incident, earlier.incident_id) if earlier.incident_id else None
    return IngestResult(DUPLICATE, incident.reference if incident else None, "Already received.")


def record(
    delivery: Delivery,
    outcome: str,
    detail: str,
    incident: Incident | None = None,
    message: Message | None = None,
) -> IngestResult:
    """Add (or, on a retry, reuse) the ReceivedEmail row saying what the mail became."""
    mail = delivery.mail
    row = (delivery.retrying and received(delivery.key)) or ReceivedEmail(dedupe_key=delivery.key)
    _describe_mail(row, delivery)
    row.message_id = message_id_of(mail)
    row.outcome = outcome
    row.detail = detail
    row.incident_id = incident.id if incident else None
    row.message_row_id = message.id if message else None
    row.source = delivery.source
    row.received_at = utcnow()
    db.session.add(row)
    if delivery.retrying is not None and outcome != outcomes.QUARANTINED:
        delivery.retrying.state = "retried"
        delivery.retrying.resolved_at = utcnow()
    return IngestResult(outcome, incident.reference if incident else None, detail)


def quarantine(delivery: Delivery, error: Exception) -> IngestResult:
    """Keep a mail that could not be applied, with the error, for an agent to act on.

    Staged in a SAVEPOINT of the running transaction: when another gateway recorded the
    same mail meanwhile, only this record is undone and the mail counts as a duplicate.
    """
    mail = delivery.mail
    text = quarantine_reason(error, mail)
    try:
        with db.session.begin_nested():
            entry = delivery.retrying or QuarantinedEmail(dedupe_key=delivery.key)
            _describe_mail(entry, delivery)
            entry.error = text
            entry.source = entry.source or delivery.source
            db.session.add(entry)
            record(delivery, outcomes.QUARANTINED, text)
    except IntegrityError:
        return IngestResult(DUPLICATE, None, RACE_LOST)
    return IngestResult(outcomes.QUARANTINED, None, text)


def _describe_mail(row: ReceivedEmail | QuarantinedEmail, delivery: Delivery) -> None:
    """Copy what both records show of a mail: sender, subject, size, where the original is."""
    row.sender = delivery.mail.from_address[:254]
    row.subject = delivery.mail.subject[:255]
    row.raw_path = delivery.raw_path
    row.size = len(delivery.mail.raw)


def quarantine_reason(error: Exception, mail: ParsedMail) -> str:
    """Say why a mail was quarantined: the refusal, or the bug, plus what the parser noticed.

    A database error is named by the driver's message, without the SQL and its parameters
    (which hold the mail's text). What is said may quote the mail's raw bytes or a NUL,
    which no database takes: the quarantine must never fail on its own reason.
    """
    if isinstance(error, incidents.DomainError):
        text = str(error)
    elif isinstance(error, DBAPIError):
        text = f"{type(error).__name__}: {str(error.orig).strip()}"
    else:
        text = f"{type(error).__name__}: {error}"
    if mail.defects:
        text += "\nDefects: " + "; ".join(mail.defects[:10])
    return printable(unsurrogate(text))
