"""The gateway's own questions of the database: which incident a reference, one of our
Message-IDs or a mail the helpdesk sent or received belongs to, where a merged incident went,
and which sent mail a bounce is about. Read-only; the answers feed mail_gateway.route.
"""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Incident, Message, OutboundEmail, ReceivedEmail


def incident_id_for_reference(reference: str) -> int | None:
    """Return the id of the incident with this exact reference, if it exists."""
    return db.session.scalars(select(Incident.id).where(Incident.reference == reference)).first()


def incident_ids_for_message_ids(message_ids: list[str]) -> dict[str, int]:
    """Map the Message-IDs the helpdesk sent or received to their incidents' ids."""
    if not message_ids:
        return {}
    found: dict[str, int] = {}
    for id_column, incident_column in (
        (OutboundEmail.message_id, OutboundEmail.incident_id),
        (Message.email_message_id, Message.incident_id),
        (ReceivedEmail.message_id, ReceivedEmail.incident_id),
    ):
        rows = db.session.execute(
            select(id_column, incident_column).where(
                id_column.in_(message_ids), incident_column.is_not(None)
            )
        )
        for message_id, incident_id in rows:
            if message_id is not None and incident_id is not None:
                found.setdefault(message_id, incident_id)
    return found


def existing_incident_id(incident_id: int) -> int | None:
    """Return the id back if that incident exists (a signed id may name a deleted one)."""
    return incident_id if db.session.get(Incident, incident_id) is not None else None


def merged_into_id(incident_id: int) -> int | None:
    """Return the incident a merged one was merged into, if any."""
    return db.session.scalars(
        select(Incident.merged_into_id).where(Incident.id == incident_id)
    ).first()


def bounced_outbound(
    original_message_id: str | None, recipients: list[str]
) -> OutboundEmail | None:
    """Find the mail a bounce is about: by its Message-ID, else the newest to a recipient."""
    if original_message_id:
        sent = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.message_id == original_message_id)
        ).first()
        if sent is not None:
            return sent
    wanted = [r.strip().lower() for r in recipients if r.strip()]
    if not wanted:
        return None
    return db.session.scalars(
        select(OutboundEmail)
        .where(func.lower(OutboundEmail.recipient).in_(wanted))
        .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    ).first()
