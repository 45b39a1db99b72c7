"""Reading the public updates' mail: the outbox rows, and the .eml files written for them."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail

KIND = "major_update"


def update_rows() -> list[OutboundEmail]:
    """Every public update's outbox row, oldest first."""
    db.session.expire_all()
    query = select(OutboundEmail).where(OutboundEmail.kind == KIND).order_by(OutboundEmail.id)
    return list(db.session.scalars(query))


def written(row: OutboundEmail) -> EmailMessage:
    """The mail the drain wrote for a row (instance/outbox/<id>.eml), parsed."""
    raw = (settings().folders.outbox / f"{row.id:08d}.eml").read_bytes()
    return message_from_bytes(raw, policy=policy.default)


def text(mail: EmailMessage) -> str:
    """The plain-text part, with the wire format's CRLF undone."""
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html(mail: EmailMessage) -> str:
    """The HTML part, with the wire format's CRLF undone."""
    return mail.get_body(("html",)).get_content().replace("\r\n", "\n")
