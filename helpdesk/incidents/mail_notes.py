"""What the mail gateway needs besides replies: notes kept from mail, bounces, and lookups.

Like the rest of the service layer, each function validates, writes, audits and commits
once. None of them mails the requester: a stranger's mail waits for an agent's review,
and bounces and automatic replies only concern the people working the incident. (The
gateway's own questions, which incident a mail threads into, are mail_gateway.lookups.)
"""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.settings import settings
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.attachments import NewAttachment
from helpdesk.incidents.audit import record
from helpdesk.incidents.conversation import new_message
from helpdesk.models import (
    NOTE,
    Incident,
    Message,
    User,
    utcnow,
)

REASON_MAX = 255


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
    suppress = settings().mail.bounce_suppress
    until = utcnow() + suppress
    wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
    for user in _users_with(wanted):
        user.bouncing_until = until
        user.bounce_reason = reason_text
    message = None
    if incident is not None:
        who = ", ".join(wanted) or "an unknown recipient"
        body = (
            f"Mail to {who} bounced: {reason_text}\n"
            f"No mail goes to this address for {suppress.days} days; check it with the requester."
        )
        message = new_message(incident, None, NOTE, body, "email", None, email_message_id, None)
        record(incident, None, "mail_bounced", addresses=wanted, reason=reason_text)
    commit()
    return message


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
