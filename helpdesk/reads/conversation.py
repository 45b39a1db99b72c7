"""An incident's conversation as agents read it: public replies, internal notes and system
events, oldest first (requesters read the public part, reads.my_incidents.public_thread)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from helpdesk.extensions import db
from helpdesk.models import Incident, Message


def thread(incident: Incident) -> list[Message]:
    """The whole conversation, oldest first, with authors and attachments loaded."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.incident_id == incident.id)
            .order_by(Message.created_at, Message.id)
            .options(joinedload(Message.author), selectinload(Message.attachments))
        )
    )
