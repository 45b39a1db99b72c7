"""Reading the password mails a test caused: the newest one to an address, and its link."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import OutboundEmail


def newest_mail_text(recipient: str) -> str:
    """The text of the newest email in the outbox to `recipient`."""
    query = select(OutboundEmail).where(OutboundEmail.recipient == recipient)
    mail = db.session.scalars(query.order_by(OutboundEmail.id.desc())).first()
    assert mail is not None, f"no mail to {recipient}"
    return message_from_bytes(mail.raw, policy=policy.default).get_content()


def mailed_link(recipient: str) -> str:
    """The password link in the newest email to `recipient`, as a local path."""
    found = re.search(r"http://helpdesk\.test(/password/reset/\S+)", newest_mail_text(recipient))
    assert found is not None, f"no password link in the newest mail to {recipient}"
    return found.group(1)
