"""The quarantine: mail the pipeline could not apply, kept with its error for an agent.

An agent can download the original, retry it once the cause is removed (a fixed bug, a
changed setting), or discard it. Both keep the ReceivedEmail record, so the same mail
fetched again is still recognised and never processed twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select

from helpdesk.core import validation as check
from helpdesk.core.blobs import blob_file
from helpdesk.extensions import db
from helpdesk.incidents import InvalidInput, NotFound
from helpdesk.models import QuarantinedEmail, User, utcnow
from mail_gateway.ingest import ingest
from mail_gateway.ledger import DUPLICATE, IngestResult

PENDING = "pending"
RETRIED = "retried"
DISCARDED = "discarded"
LIST_LIMIT = 200

OUTCOME_SENTENCES = {
    "new_incident": "It opened {reference}.",
    "reply": "It was added to {reference}.",
    "follow_up": "It opened the follow-up {reference}.",
    "flagged": "It was kept on {reference} as a note for review.",
    "bounce": "It was recorded as a bounce.",
    "ignored": "It was recorded and needs no answer.",
    DUPLICATE: "It had already been processed.",
}

log = logging.getLogger(__name__)


def pending(limit: int = LIST_LIMIT) -> list[QuarantinedEmail]:
    """The mail waiting for an agent, newest first."""
    return list(
        db.session.scalars(
            select(QuarantinedEmail)
            .where(QuarantinedEmail.state == PENDING)
            .order_by(QuarantinedEmail.created_at.desc(), QuarantinedEmail.id.desc())
            .limit(limit)
        )
    )


def pending_count() -> int:
    """How many quarantined mails wait for an agent."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(QuarantinedEmail)
            .where(QuarantinedEmail.state == PENDING)
        )
        or 0
    )


def get(quarantined_id: int) -> QuarantinedEmail:
    """Load a quarantine entry, or raise NotFound."""
    entry = db.session.get(QuarantinedEmail, quarantined_id)
    if entry is None:
        raise NotFound("There is no such quarantined email.")
    return entry


def original_path(entry: QuarantinedEmail) -> Path:
    """Where the original bytes of a quarantined mail are kept."""
    return blob_file(entry.raw_path)


def retry(quarantined_id: int, actor: User) -> IngestResult:
    """Run a quarantined mail through the pipeline again; it stays pending if it fails again."""
    check.require_agent(actor)
    entry = _pending(quarantined_id)
    path = original_path(entry)
    if not path.is_file():
        raise InvalidInput("The original of this email is missing from the attachment store.")
    result = ingest(path.read_bytes(), entry.source, retrying=entry)
    if result.outcome == DUPLICATE:  # it went through elsewhere meanwhile: nothing left to do
        _close(entry, RETRIED)
    log.info("quarantined mail %s retried by %s: %s", entry.id, actor.email, result.outcome)
    return result


def discard(quarantined_id: int, actor: User) -> None:
    """Give up on a quarantined mail; its record keeps it from being processed later."""
    check.require_agent(actor)
    entry = _pending(quarantined_id)
    _close(entry, DISCARDED)
    log.info("quarantined mail %s discarded by %s", entry.id, actor.email)


def retry_result_sentence(result: IngestResult) -> str:
    """Say in a sentence what a retry did."""
    if result.outcome == "quarantined":
        return f"It still cannot be processed: {result.detail}"
    sentence = OUTCOME_SENTENCES.get(result.outcome, "It was processed.")
    return sentence.format(reference=result.reference or "an incident")


def _pending(quarantined_id: int) -> QuarantinedEmail:
    """Load an entry that still waits for an agent, or refuse."""
    entry = get(quarantined_id)
    if entry.state != PENDING:
        raise InvalidInput(f"This email was already {entry.state}.")
    return entry


def _close(entry: QuarantinedEmail, state: str) -> None:
    """Mark an entry as dealt with and commit."""
    entry.state = state
    entry.resolved_at = utcnow()
    db.session.commit()
