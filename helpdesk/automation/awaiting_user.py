"""Incidents waiting for the requester's answer: a reminder after a few days, and without an
answer a few days later, an automatic resolution with a notice (the worker's jobs).

An incident waits for its requester while it is on hold with the reason "awaiting_user";
how long is counted from `status_changed_at`, the start of the hold. It is reminded once
per hold: `reminded_at` earlier than the hold's start is an earlier hold's reminder. A
requester's reply, by any channel, takes the incident off the hold, so nothing more
happens; an agent putting it on hold again starts a new hold, with a reminder of its own.

The resolution is counted from the reminder, so nobody is resolved without having been
told the date first: with the reminders turned off, nothing is resolved automatically.

Days are calendar days on the wall clock (weekends and holidays count): the requester's
silence is not measured in the desk's working hours.

Each pass claims its incidents a batch at a time (helpdesk.core.batches, row locks): two
workers share the work, and a pass run again finds nothing more to do, because a reminded
incident has `reminded_at` past its hold's start and a resolved one is no longer on hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from helpdesk import lifecycle
from helpdesk.automation.events import AwaitingUserReminded
from helpdesk.core import events
from helpdesk.core.batches import in_batches
from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.workflow import resolve_unattended
from helpdesk.models import REPLY, Incident, Message, User

# Claim order: whoever has waited longest goes first.
LONGEST_HELD_FIRST = (Incident.status_changed_at, Incident.id)

AWAITING_USER = "awaiting_user"
# An existing code, so reports and the agents' choices need no new one: without the
# requester's answer no fault could be confirmed; the audit trail ("auto_resolved") and
# the resolution notes say what really happened.
RESOLUTION_CODE = "no_fault_found"
NOTES = (
    "We resolved this incident automatically: we asked for your answer on {asked} and "
    "reminded you on {reminded}, and have not heard back. If you still need help, tell us "
    "it is still broken or reply to this email, and we will carry on."
)


def remind(now: datetime) -> int:
    """Remind the requester of every incident waiting for them long enough, a batch at a
    time; return how many were reminded (0 when the reminders are turned off)."""
    after = settings().automation.remind_awaiting_user_after
    if after is None:
        return 0
    return in_batches(
        _reminder_due(now - after), LONGEST_HELD_FIRST, lambda incident: _remind(incident, now)
    )


def resolve_unanswered(now: datetime) -> int:
    """Resolve every incident still waiting long enough after its reminder, a batch at a
    time; return how many (0 when the automatic resolution is turned off)."""
    after = settings().automation.resolve_awaiting_user_after
    if after is None:
        return 0
    return in_batches(_resolution_due(now - after), LONGEST_HELD_FIRST, _resolve)


def _awaiting() -> Any:
    """Incidents on hold for the requester's answer (the status index finds them)."""
    return select(Incident).where(
        Incident.status == lifecycle.ON_HOLD, Incident.on_hold_reason == AWAITING_USER
    )


def _reminder_due(held_since: datetime) -> Any:
    """Waiting since `held_since` or longer, and not reminded during this hold."""
    return _awaiting().where(
        Incident.status_changed_at <= held_since,
        or_(Incident.reminded_at.is_(None), Incident.reminded_at < Incident.status_changed_at),
    )


def _resolution_due(reminded_by: datetime) -> Any:
    """Reminded during this hold, by `reminded_by` or earlier."""
    return _awaiting().where(
        Incident.reminded_at >= Incident.status_changed_at, Incident.reminded_at <= reminded_by
    )


def _remind(incident: Incident, now: datetime) -> None:
    """Record the reminder and publish it (the notifications mail the requester)."""
    after = settings().automation.resolve_awaiting_user_after
    incident.reminded_at = now
    resolve_at = now + after if after is not None else None
    record(
        incident,
        None,
        "reminded",
        resolve_at=resolve_at.isoformat() if resolve_at else None,
    )
    events.publish(AwaitingUserReminded(incident, resolve_at, _last_question(incident)))


def _last_question(incident: Incident) -> str | None:
    """The desk's last public message on the incident: what the requester was asked."""
    author = aliased(User)
    return db.session.scalars(
        select(Message.body)
        .join(author, Message.author_id == author.id)
        .where(
            Message.incident_id == incident.id,
            Message.kind == REPLY,
            author.role.in_(("agent", "admin")),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()


def _resolve(incident: Incident) -> None:
    """Resolve it as the helpdesk, with notes that tell the requester why."""
    assert incident.reminded_at is not None  # _resolution_due asked for it
    notes = NOTES.format(
        asked=_day(incident.status_changed_at), reminded=_day(incident.reminded_at)
    )
    resolve_unattended(incident, RESOLUTION_CODE, notes, "auto_resolved")


def _day(at: datetime) -> str:
    """A date as the notes say it, e.g. "30 November 2026" (UTC: the notes are one text for
    everyone who reads them)."""
    return f"{at.day} {at:%B %Y}"
