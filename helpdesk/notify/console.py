"""Notices in the agent console: the console's channel beside email. The notifications
write them in the transaction of the change they are about (an SLA warning or breach, an
escalation), so a notice exists if and only if that change commits; agents mark them read.

Only active agents get notices, each person once per notice, and never about their own
action (as with mail, see audience.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from helpdesk.core.errors import NotFound
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import AgentNotice, Incident, User, utcnow
from helpdesk.notify.compose import JsonValue

# The kinds of notice (AgentNotice.kind), as the console names them.
KINDS = {
    "sla_warned": "SLA warning",
    "sla_breached": "SLA breach",
    "escalated": "Escalated to your team",
    "problem_resolved": "Problem resolved",
    "review_action_due": "Review action overdue",
}


def write(
    people: Iterable[User | None],
    incident: Incident,
    kind: str,
    actor: User | None = None,
    **details: JsonValue,
) -> list[AgentNotice]:
    """Add one unread notice of `kind` about `incident` for each agent in `people`."""
    written: list[AgentNotice] = []
    seen: set[int] = set()
    for person in people:
        if person is None or person.id in seen or not (person.active and person.is_agent):
            continue
        if actor is not None and person.id == actor.id:
            continue
        seen.add(person.id)
        notice = AgentNotice(
            user=person, incident=incident, kind=kind, details=details, created_at=utcnow()
        )
        db.session.add(notice)
        written.append(notice)
    return written


@unit_of_work
def mark_read(user: User, notice_id: int | None = None) -> int:
    """Mark one of `user`'s notices read (`notice_id`), or all of them (None); returns how
    many were unread. Another agent's notice is not found, whatever its number."""
    now = utcnow()
    if notice_id is not None:
        notice = db.session.get(AgentNotice, notice_id)
        if notice is None or notice.user_id != user.id:
            raise NotFound("There is no such notice.")
        if notice.read_at is not None:
            return 0
        notice.read_at = now
        commit()
        return 1
    result = db.session.execute(
        update(AgentNotice)
        .where(AgentNotice.user_id == user.id, AgentNotice.read_at.is_(None))
        .values(read_at=now)
    )
    commit()
    return int(getattr(result, "rowcount", 0) or 0)
