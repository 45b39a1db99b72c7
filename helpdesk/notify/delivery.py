"""Handing queued mail to a transport. The embedded default writes .eml files to
instance/outbox right after the commit that queued them; the mail gateway drains the
same table over SMTP in production (OUTBOX_TRANSPORT = "smtp"). Either way a row is
rendered (compose.render) when it is drained, not when it is queued."""

from __future__ import annotations

import logging

from sqlalchemy import select

from helpdesk.core.durable import write_durably
from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, utcnow
from helpdesk.models.outbox import FAILED, PENDING, SENT
from helpdesk.notify.compose import render

# Session flag set by intents.queue_email: this unit of work queued at least one mail.
MAIL_QUEUED = "helpdesk.mail_queued"
RENDER_FAILED = "could not render the mail"
log = logging.getLogger(__name__)


def rendered(row: OutboundEmail) -> bytes | None:
    """The row's mail, rendered now if it was not yet; None when rendering failed, and then
    the row is marked failed with the reason (admins see it and retry it after a fix).

    Rendering runs templates, the help-article ranking and MIME building: whatever goes
    wrong there is a bug that must delay this one mail, never the others or the change
    that queued it, so every error is caught here, the one place that can say so on the row.
    """
    if row.raw is not None:
        return row.raw
    try:
        raw = render(row)
    except Exception as error:  # any bug in rendering fails this row only (see above)
        _render_failed(row.id, error)
        return None
    row.raw, row.rendered_at = raw, utcnow()
    return raw


def _render_failed(row_id: int, error: Exception) -> None:
    """Mark the row failed with the reason, in a transaction of its own."""
    log.exception("Could not render outbox message %s", row_id)
    db.session.rollback()  # rendering may have failed in the database itself
    row = db.session.get(OutboundEmail, row_id)
    if row is None:
        return
    row.state = FAILED
    row.attempts += 1
    row.last_error = f"{RENDER_FAILED}: {type(error).__name__}: {error}"
    db.session.commit()


def write_eml_files() -> int:
    """Render every pending outbox row, write it as <id>.eml and mark it sent; return how
    many were written (a row that cannot be rendered is marked failed instead)."""
    folder = settings().folders.outbox
    folder.mkdir(parents=True, exist_ok=True)
    pending = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.state == PENDING).order_by(OutboundEmail.id)
    ).all()
    written = 0
    for row in pending:
        raw = rendered(row)
        if raw is None:
            continue
        write_durably(folder / f"{row.id:08d}.eml", raw)
        row.state = SENT
        row.attempts += 1
        row.sent_at = utcnow()
        db.session.commit()  # each row on its own: a later render failure rolls back
        written += 1
    return written


def deliver_after_commit() -> None:
    """With the embedded file transport, deliver mail the unit just queued; others poll."""
    queued = db.session.info.pop(MAIL_QUEUED, False)
    if queued and settings().mail.outbox_transport == "file":
        write_eml_files()
