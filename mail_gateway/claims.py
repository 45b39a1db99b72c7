"""Claiming due outbox rows for one gateway, a batch at a time.

A claim picks the first due rows, then pushes their `next_attempt_at` forward to the
claim's end with a conditional UPDATE (`WHERE state = 'pending' AND next_attempt_at <=
now`) that returns the ids it took, and commits: a second gateway finds them not due and
takes others, and when this process dies mid-batch the claim simply expires and the rows
are due again. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so two
gateways claiming at the same moment take different rows instead of waiting for each
other; on SQLite a row another gateway took between the two statements fails the
UPDATE's condition and is not returned. (One UPDATE with the pick as a subquery is no
good: PostgreSQL may run a locking subquery again per row, and then its LIMIT bounds
nothing.)

Two statements and one commit per batch, where claiming row by row cost a SELECT, an
UPDATE and a commit per mail. Rows a drain does not attempt (it stopped, or lost the
server) are handed back, due at once, by `release`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, utcnow
from helpdesk.models.outbox import PENDING

CLAIM_BATCH = 20


@dataclass(frozen=True)
class Claim:
    """The rows this gateway holds, in id order, and when its hold on them ends."""

    rows: list[OutboundEmail]
    until: datetime


def claim_batch(after_id: int, claim_seconds: float, size: int = CLAIM_BATCH) -> Claim:
    """Claim up to `size` due rows after `after_id` for `claim_seconds`; no rows when done."""
    now = utcnow()
    until = now + timedelta(seconds=claim_seconds)
    due = (
        select(OutboundEmail.id)
        .where(
            OutboundEmail.state == PENDING,
            OutboundEmail.next_attempt_at <= now,
            OutboundEmail.id > after_id,
        )
        .order_by(OutboundEmail.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    candidates = db.session.scalars(due).all()
    if not candidates:
        db.session.commit()
        return Claim([], until)
    ids = db.session.scalars(
        update(OutboundEmail)
        .where(
            OutboundEmail.id.in_(candidates),
            OutboundEmail.state == PENDING,
            OutboundEmail.next_attempt_at <= now,
        )
        .values(next_attempt_at=until)
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not ids:
        return Claim([], until)
    rows = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.id.in_(ids))
        .order_by(OutboundEmail.id)
        .execution_options(populate_existing=True)
    ).all()
    return Claim(list(rows), until)


def release(claim: Claim, rows: Sequence[OutboundEmail]) -> None:
    """Hand back claimed rows this gateway will not attempt now: they are due at once.

    Only rows still held by this claim are touched (pending, and due at its end), so a
    claim that has already expired and passed to another gateway is left alone.
    """
    if not rows:
        return
    db.session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.id.in_([row.id for row in rows]),
            OutboundEmail.state == PENDING,
            OutboundEmail.next_attempt_at == claim.until,
        )
        .values(next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
