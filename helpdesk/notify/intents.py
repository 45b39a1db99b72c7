"""Recording a notification in the outbox, in the transaction of the change that caused it.

The row holds what the mail must say, not the mail: the template (`kind`), the recipient,
and a snapshot of ids and of the values that must not change before it is sent: the subject
at that time, per-person links (their tokens name the resolution then), the threading
headers and the signed Message-ID (bounces and replies are looked up by it from the start).
Everything else is read when the outbox is drained (compose.render, called by
delivery.rendered). Rendering runs templates, ranks help articles and builds MIME: a bug
there must delay one mail, never refuse the user's incident, and intake need not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from helpdesk.extensions import db
from helpdesk.models import Attachment, Incident, Message, OutboundEmail, User, utcnow
from helpdesk.notify.compose import AUTO_REPLIED, JsonValue, new_message_id, one_line
from helpdesk.notify.delivery import MAIL_QUEUED
from helpdesk.notify.message_ids import signed_message_id
from helpdesk.notify.threads import opening_thread, thread_for

SUBJECT_COLUMN = 255


def queue_email(
    recipient: User,
    subject: str,
    template: str,
    incident: Incident | None = None,
    auto_submitted: str | None = AUTO_REPLIED,
    message: Message | None = None,
    attachments: Sequence[Attachment] = (),
    html: bool = True,
    offers: bool = False,
    context: Mapping[str, JsonValue] | None = None,
    opening_report: Message | None = None,
) -> OutboundEmail:
    """Queue templates/email/<template>.txt (and .html) for one recipient, rendered later.

    `auto_submitted` is None for an agent's personal reply; auto-replied notices count
    toward the hourly limit per recipient. `message` is the thread message the mail
    carries, if any; `attachments` are sent along as far as the size budget allows then.
    `offers`: list the help articles matching the incident (chosen when it is rendered).
    `context` holds the template's other values, as JSON. `opening_report`: the message
    that opened the incident in this very unit, which the mail answers (the threading
    headers then follow from it, without looking for earlier mail).
    """
    now = utcnow()
    line = one_line(subject)
    if incident is None:
        message_id = new_message_id()
    else:
        message_id = signed_message_id(incident.id, message.id if message else None)
    if message is not None and message.email_message_id is None:
        message.email_message_id = message_id  # a reply to it then finds this very message
    snapshot: dict[str, JsonValue] = {
        "to": {"id": recipient.id, "name": recipient.name},
        "subject": line,
        "auto_submitted": auto_submitted,
        "html": html,
        "attachments": [attachment.id for attachment in attachments],
        "offers": offers,
        "context": dict(context or {}),
    }
    if incident is not None:
        snapshot["thread"] = _thread(incident, recipient, now, opening_report)
    row = OutboundEmail(
        kind=template,
        snapshot=snapshot,
        incident_id=incident.id if incident else None,
        recipient=recipient.email,
        subject=line[:SUBJECT_COLUMN],
        message_id=message_id,
        automatic=auto_submitted == AUTO_REPLIED,
        message_row_id=message.id if message else None,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(row)
    db.session.info[MAIL_QUEUED] = True  # tells the embedded transport there is work
    return row


def _thread(
    incident: Incident, recipient: User, now: datetime, opening_report: Message | None
) -> dict[str, JsonValue]:
    """The threading headers as they stand now: later mail must not become this one's parent."""
    if opening_report is None:
        thread = thread_for(incident, recipient.email, now)
    else:
        thread = opening_thread(incident, opening_report, now)
    return {
        "in_reply_to": thread.in_reply_to,
        "references": list(thread.references),
        "index": thread.thread_index,
        "topic": incident.subject,
    }
