"""Who may be mailed right now: never the actor, an inactive account, an address that cannot
be written in ASCII (addresses.py), a bouncing address, or someone who already had their
hourly share of automatic notices.

The hourly cap on automatic notices is what ends a ping-pong between our notices and
someone's auto-responder that does not mark its replies (RFC 3834 asks it to, many do not).
A skipped notice is not recorded in the outbox; it is logged (by user id, never address).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import OutboundEmail, User, utcnow
from helpdesk.notify.addresses import ascii_address

log = logging.getLogger(__name__)
NEEDS_SMTPUTF8 = "the address has a non-ASCII mailbox name, which needs SMTPUTF8"


def recipients(
    candidates: Iterable[User | None], actor: User | None, automatic: bool
) -> list[User]:
    """Filter candidates to those who may receive this mail, each once, in the given order."""
    chosen: dict[int, User] = {}
    for person in candidates:
        if person is None or person.id in chosen:
            continue
        reason = refusal(person, actor, automatic)
        if reason is None:
            chosen[person.id] = person
        else:
            log.info("not mailing user %s: %s", person.id, reason)
    return list(chosen.values())


def refusal(person: User, actor: User | None, automatic: bool) -> str | None:
    """Say why `person` must not get this mail, or None when they may."""
    if actor is not None and person.id == actor.id:
        return "they did it themselves"
    if not person.active:
        return "the account is inactive"
    if ascii_address(person.email) is None:
        return NEEDS_SMTPUTF8
    if is_bouncing(person):
        return "their address is bouncing"
    if automatic and over_hourly_limit(person.email):
        return "hourly limit of automatic notices reached"
    return None


def is_bouncing(person: User) -> bool:
    """True while mail to this address is suspended after a bounce."""
    return person.bouncing_until is not None and person.bouncing_until > utcnow()


def over_hourly_limit(address: str) -> bool:
    """True when this address already got its share of automatic notices in the last hour.

    The stored notices are counted without flushing the session first (a flush here cost
    a new incident more than the count itself), and the notices this unit has queued but
    not yet flushed are counted beside them, so the cap stays exact.
    """
    limit = settings().mail.auto_replies_per_sender_per_hour
    since = utcnow() - timedelta(hours=1)
    with db.session.no_autoflush:
        stored = db.session.scalar(
            select(func.count(OutboundEmail.id)).where(
                OutboundEmail.recipient == address,
                OutboundEmail.automatic.is_(True),
                OutboundEmail.created_at >= since,
            )
        )
    pending = sum(
        1
        for row in db.session.new
        if isinstance(row, OutboundEmail)
        and row.recipient == address
        and row.automatic
        and row.created_at >= since
    )
    return (stored or 0) + pending >= limit
