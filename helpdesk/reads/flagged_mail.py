"""The read side of mail awaiting review: which incidents hold some, and from whom.

The mail gateway keeps mail from someone who is neither requester, participant nor agent
as an internal note with needs_review set, until an agent marks it reviewed. Such mail is
a handful of messages next to the whole thread history, so every query here starts from
the flagged messages (the index ix_messages_review, on messages where needs_review) and
reaches incidents by primary key: none reads all incidents or all messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, distinct, func, select, true

from helpdesk.extensions import db
from helpdesk.models import Message, User

# Spelled "needs_review = true" everywhere: the condition of the partial index, verbatim.
AWAITING = Message.needs_review == true()
# One row per incident with mail awaiting review, and when the newest such mail came.
FLAGGED = (
    select(
        Message.incident_id.label("incident_id"),
        func.max(Message.created_at).label("flagged_at"),
    )
    .where(AWAITING)
    .group_by(Message.incident_id)
    .subquery("flagged")
)


@dataclass(frozen=True)
class Sender:
    """Who sent mail awaiting review (no email when the system could not name them)."""

    name: str
    email: str | None


@dataclass(frozen=True)
class FlaggedMail:
    """Why an incident is in the review queue: how many mails, the newest, and from whom."""

    count: int
    newest_id: int
    newest_at: datetime
    newest_reason: str | None  # why the newest mail was flagged
    senders: tuple[Sender, ...]  # distinct, newest mail's sender first


def count_query() -> Select[Any]:
    """Count the incidents with mail awaiting review (for the queue tab)."""
    return select(func.count(distinct(Message.incident_id))).where(AWAITING)


def summary_query(incident_ids: list[int]) -> Select[*tuple[Any, ...]]:
    """The mail awaiting review on these incidents with its senders, newest first."""
    return (
        select(
            Message.incident_id,
            Message.id,
            Message.created_at,
            Message.review_reason,
            User.name,
            User.email,
        )
        .outerjoin(User, User.id == Message.author_id)
        .where(AWAITING, Message.incident_id.in_(incident_ids))
        .order_by(Message.incident_id, Message.created_at.desc(), Message.id.desc())
    )


def flagged_mail(incident_ids: list[int]) -> dict[int, FlaggedMail]:
    """Summarise the mail awaiting review on these incidents (a queue page's worth)."""
    if not incident_ids:
        return {}
    rows = db.session.execute(summary_query(incident_ids)).all()
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.incident_id, []).append(row)
    return {incident_id: _summary(mails) for incident_id, mails in grouped.items()}


def _summary(mails: list[Any]) -> FlaggedMail:
    """One incident's flagged mails, newest first, as the queue row shows them."""
    senders = (Sender(m.name or "Unknown sender", m.email) for m in mails)
    return FlaggedMail(
        count=len(mails),
        newest_id=mails[0].id,
        newest_at=mails[0].created_at,
        newest_reason=mails[0].review_reason,
        senders=tuple(dict.fromkeys(senders)),
    )
