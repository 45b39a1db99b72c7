"""Handing queued mail to a transport. The embedded default writes .eml files to
instance/outbox right after the commit that queued them; the mail gateway drains the
same table over SMTP in production (OUTBOX_TRANSPORT = "smtp")."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from helpdesk.core.durable import write_durably
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, utcnow
from helpdesk.models.outbox import PENDING, SENT

# Session flag set by compose.queue_email: this unit of work queued at least one mail.
MAIL_QUEUED = "helpdesk.mail_queued"


def write_eml_files() -> int:
    """Write every pending outbox row as <id>.eml and mark it sent; return how many."""
    folder = Path(current_app.config["OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    pending = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.state == PENDING).order_by(OutboundEmail.id)
    ).all()
    for row in pending:
        write_durably(folder / f"{row.id:08d}.eml", row.raw)
        row.state = SENT
        row.attempts += 1
        row.sent_at = utcnow()
    db.session.commit()
    return len(pending)


def deliver_after_commit() -> None:
    """With the embedded file transport, deliver mail the unit just queued; others poll."""
    queued = db.session.info.pop(MAIL_QUEUED, False)
    if queued and current_app.config["OUTBOX_TRANSPORT"] == "file":
        write_eml_files()
