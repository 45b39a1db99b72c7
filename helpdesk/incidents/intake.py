"""What the mail gateway needs besides replies: notes kept from mail, bounces, and lookups.

Like the rest of the service layer, each function validates, writes, audits and commits
once. None of them mails the requester: a stranger's mail waits for an agent's review,
and bounces and automatic replies only concern the people working the incident. The
read-only lookups at the end answer the gateway's threading questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.incidents import validation as check
from helpdesk.incidents.attachments import NewAttachment
from helpdesk.incidents.audit import record
from helpdesk.incidents.conversation import new_message
from helpdesk.incidents.errors import InvalidInput
from helpdesk.incidents.unit import commit, unit_of_work
from helpdesk.models import (
    NOTE,
    Incident,
    Message,
    OutboundEmail,
    ReceivedEmail,
    User,
    utcnow,
)

REASON_MAX = 255
MB = 1024 * 1024
NO_TEXT = "(The email had no text.)"
LEFT_OUT = "Not attached, over the size or number limit (the original email is kept):"
CUT_SHORT = "\n\n[Cut short here; the original email is kept.]"


@unit_of_work
def add_flagged_note(
    incident: Incident,
    author: User,
    body: str,
    attachments: list[NewAttachment] | None = None,
    email_message_id: str | None = None,
    body_html: str | None = None,
    reason: str = "",
) -> Message:
    """Keep mail from someone not on the incident, or not proven to be who they say, as an
    internal note awaiting review; why (by default: the author is not on the incident) is
    kept on the message and in the audit trail."""
    message = new_message(
        incident, author, NOTE, body, "email", attachments, email_message_id, body_html
    )
    message.needs_review = True
    reason = reason or f"{author.email} is not on {incident.reference}."
    message.review_reason = reason[:REASON_MAX]
    record(
        incident,
        author,
        "mail_flagged",
        message_id=message.id,
        sender=author.email,
        reason=message.review_reason,
    )
    commit()
    return message


@unit_of_work
def add_mail_note(
    incident: Incident,
    author: User | None,
    body: str,
    attachments: list[NewAttachment] | None = None,
    email_message_id: str | None = None,
    body_html: str | None = None,
) -> Message:
    """Keep mail on an incident as an internal note (an agent on a closed incident, an
    automatic reply; `author` None is the system), without mailing anyone."""
    message = new_message(
        incident, author, NOTE, body, "email", attachments, email_message_id, body_html
    )
    record(incident, author, "mail_noted", message_id=message.id)
    commit()
    return message


@unit_of_work
def record_bounce(
    addresses: list[str],
    reason: str,
    incident: Incident | None = None,
    email_message_id: str | None = None,
) -> Message | None:
    """Stop mailing addresses that bounced for a while, and tell the incident's agents why."""
    reason_text = " ".join((reason or "").split())[:REASON_MAX] or "No reason given."
    days = int(current_app.config["BOUNCE_SUPPRESS_DAYS"])
    until = utcnow() + timedelta(days=days)
    wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
    for user in _users_with(wanted):
        user.bouncing_until = until
        user.bounce_reason = reason_text
    message = None
    if incident is not None:
        who = ", ".join(wanted) or "an unknown recipient"
        body = (
            f"Mail to {who} bounced: {reason_text}\n"
            f"No mail goes to this address for {days} days; check it with the requester."
        )
        message = new_message(incident, None, NOTE, body, "email", None, email_message_id, None)
        record(incident, None, "mail_bounced", addresses=wanted, reason=reason_text)
    commit()
    return message


def fit_to_limits(
    text: str, files: list[NewAttachment], unread: Sequence[tuple[str, int]] = ()
) -> tuple[str, list[NewAttachment]]:
    """Fit mailed text and files into a message's limits rather than refuse the mail.

    A mail cannot be sent back for editing as a form can: files over the size or number
    limit are named in the text instead, and an endless body is cut short; the gateway
    keeps the original email, so nothing is lost. `unread` names (with their sizes in
    bytes) files the parser already left out for their size.
    """
    config = current_app.config
    size_limit = int(config["MAX_UPLOAD_MB"]) * MB
    room = int(config["MAX_ATTACHMENTS_PER_MESSAGE"])
    kept: list[NewAttachment] = []
    left_out = list(unread)
    for file in files:
        if len(file.data) > size_limit or len(kept) >= room:
            left_out.append((file.filename, len(file.data)))
        else:
            kept.append(file)
    body = (text or "").replace("\x00", "").strip() or NO_TEXT
    if left_out:
        named = ", ".join(f"{name} ({size / MB:.1f} MB)" for name, size in left_out)
        body += f"\n\n[{LEFT_OUT} {named}]"
    if len(body) > check.BODY_MAX:
        body = body[: check.BODY_MAX - len(CUT_SHORT)] + CUT_SHORT
    return body, kept


def _users_with(addresses: list[str]) -> list[User]:
    """Load the accounts whose address is in the list (compared case-insensitively)."""
    if not addresses:
        return []
    return list(db.session.scalars(select(User).where(func.lower(User.email).in_(addresses))))


@unit_of_work
def mark_reviewed(incident: Incident, message_id: int, actor: User) -> Message:
    """An agent has read mail from someone not on the incident: clear its review flag.

    The mail stays an internal note; to let its sender follow the incident, an agent adds
    them as a participant.
    """
    check.require_agent(actor)
    message = db.session.get(Message, message_id)
    if message is None or message.incident_id != incident.id or not message.needs_review:
        raise InvalidInput("That message is not waiting for review.")
    message.needs_review = False
    record(incident, actor, "mail_reviewed", message_id=message.id)
    commit()
    return message


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
