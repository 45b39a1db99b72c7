"""An agent's console notices (SLA warnings and breaches, escalations to their team): how
many are unread, for the navigation on every page, and the newest, for the notices page.

Both read one agent's rows through the index on (user, read_at, id), so the count on
every page stays cheap however many notices pile up.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from helpdesk.extensions import db
from helpdesk.models import AgentNotice

NEWEST = 100  # the notices page lists this many


def unread_count(user_id: int) -> int:
    """How many of the agent's notices are unread."""
    query = select(func.count(AgentNotice.id)).where(
        AgentNotice.user_id == user_id, AgentNotice.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def newest(user_id: int, limit: int = NEWEST) -> list[AgentNotice]:
    """The agent's notices, unread first, each part newest first, with their incidents."""
    return list(
        db.session.scalars(
            select(AgentNotice)
            .where(AgentNotice.user_id == user_id)
            .order_by(AgentNotice.read_at.is_not(None), AgentNotice.id.desc())
            .limit(limit)
            .options(joinedload(AgentNotice.incident))
        )
    )
