"""Which conversation an outgoing mail continues: In-Reply-To, References and Thread-Index.

Each recipient has their own thread per incident: the mails we sent them and, for everyone,
the requester's own emails. The parent is the message being answered (RFC 5322 3.6.4): the
requester's newest email, else our newest mail to this recipient, else the first message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import REPLY, Incident, Message, OutboundEmail
from helpdesk.notify.thread_index import conversation_guid, thread_index

# A header-safe msg-id: printable ASCII without spaces or angle brackets around one "@".
MESSAGE_ID = re.compile(r"<[!-;=?-~]+@[!-;=?-~]+>")
# The stdlib decodes RFC 2047 words even inside an id ("<=?utf-8?b?DQo...?=@x>" becomes a
# CR/LF and a header of the sender's choosing), so ids from mail that contain one are unsafe.
ENCODED_WORD_START = "=?"
MAX_REFERENCES = 11  # the thread's root and its ten newest ids (RFC 5322 allows trimming)


@dataclass(frozen=True)
class Thread:
    """Threading headers for one mail; in_reply_to is None for the first mail of a thread."""

    in_reply_to: str | None
    references: tuple[str, ...]
    thread_index: str


def thread_for(incident: Incident, recipient: str, now: datetime) -> Thread:
    """Work out the threading headers of a mail to `recipient` about `incident`, sent `now`."""
    sent = _sent_to(incident, recipient)
    first, received = _first_and_requester_emails(incident)
    return _assembled(incident, sent, first, received, now)


def opening_thread(incident: Incident, report: Message, now: datetime) -> Thread:
    """The threading headers of the acknowledgement of an incident just opened, from the
    message that reported it: what `thread_for` finds then (the report is the only message,
    and nothing was sent yet), without its two queries or the flush they would cause."""
    return _assembled(incident, [], usable(report.email_message_id), [], now)


def _assembled(
    incident: Incident,
    sent: list[tuple[datetime, str]],
    first: str | None,
    received: list[tuple[datetime, str]],
    now: datetime,
) -> Thread:
    """The headers from the thread's ids: our mails to the recipient, the first message's
    id, and the requester's own emails."""
    parent = _last(received) or _last(sent) or first
    chain = _unique([first, *(message_id for _, message_id in sorted(received + sent))])
    replies = [moment for moment, _ in sent[1:]] + [now] if sent else []
    guid = conversation_guid(settings().site.support_address, incident.id)
    return Thread(
        in_reply_to=parent,
        references=_references(chain, parent),
        thread_index=thread_index(incident.created_at, guid, replies),
    )


def usable(message_id: str | None) -> str | None:
    """Return a stored id in <...> form when it is safe to put in a header, else None."""
    if not message_id:
        return None
    value = message_id.strip()
    value = value if value.startswith("<") else f"<{value}>"
    if ENCODED_WORD_START in value or not MESSAGE_ID.fullmatch(value):
        return None
    return value


def _sent_to(incident: Incident, recipient: str) -> list[tuple[datetime, str]]:
    """Our earlier mails to this recipient about this incident, oldest first."""
    rows = db.session.execute(
        select(OutboundEmail.created_at, OutboundEmail.message_id)
        .where(OutboundEmail.incident_id == incident.id, OutboundEmail.recipient == recipient)
        .order_by(OutboundEmail.created_at, OutboundEmail.id)
    ).all()
    return _clean(rows)


def _first_and_requester_emails(
    incident: Incident,
) -> tuple[str | None, list[tuple[datetime, str]]]:
    """The Message-ID of the incident's first message (when it came by email), and the
    requester's own emails on it (they are in their mailbox), oldest first: one query."""
    rows = db.session.execute(
        select(Message.created_at, Message.email_message_id, Message.author_id, Message.channel)
        .where(Message.incident_id == incident.id, Message.kind == REPLY)
        .order_by(Message.created_at, Message.id)
    ).all()
    first = usable(rows[0].email_message_id) if rows else None
    mine = [
        (row.created_at, row.email_message_id)
        for row in rows
        if row.author_id == incident.requester_id and row.channel == "email"
    ]
    return first, _clean(mine)


def _clean(rows: Iterable[Sequence[Any]]) -> list[tuple[datetime, str]]:
    """Keep the rows whose id can go in a header, normalised to <...> form."""
    return [(moment, value) for moment, raw in rows if (value := usable(raw)) is not None]


def _last(rows: list[tuple[datetime, str]]) -> str | None:
    """The newest id of a time-ordered list, if any."""
    return rows[-1][1] if rows else None


def _unique(ids: list[str | None]) -> list[str]:
    """Drop blanks and repeats, keeping the first occurrence's place."""
    return list(dict.fromkeys(value for value in ids if value))


def _references(chain: list[str], parent: str | None) -> tuple[str, ...]:
    """The thread's ids ending with the parent, trimmed to the root and the newest ones."""
    if parent is None:
        return ()
    before = [value for value in chain if value != parent]
    if len(before) > MAX_REFERENCES - 1:
        before = before[:1] + before[-(MAX_REFERENCES - 2) :]
    return (*before, parent)
