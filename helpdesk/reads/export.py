"""Exporting incidents as JSON Lines: one self-contained object per incident, with its
conversation and audit trail, streamed in batches so memory stays flat on big databases."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from helpdesk.core.zones import utc_iso
from helpdesk.extensions import db
from helpdesk.lifecycle import RESOLUTION_CODES
from helpdesk.models import AuditEvent, Incident, IncidentLink, Message, User
from helpdesk.models.audit import INCIDENT
from helpdesk.priority import priority_label

BATCH_SIZE = 200


def iso(moment: datetime | None) -> str | None:
    """Format a stored (naive UTC) time as ISO 8601 with a Z, e.g. 2025-03-01T09:30:00.250Z."""
    if moment is None:
        return None
    return utc_iso(moment, "milliseconds")


def person(user: User | None) -> dict[str, str] | None:
    """A person as name and email (None for the system)."""
    return None if user is None else {"name": user.name, "email": user.email}


def write_jsonl(out: TextIO, since: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Write one JSON line per incident (changed on/after `since`, if given); return the count."""
    count = 0
    for record in incident_records(since, batch_size):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count


def incident_records(since: datetime | None, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Yield export records in id order, loading incidents and their history batch by batch."""
    statement = (
        select(Incident)
        .order_by(Incident.id)
        .options(
            selectinload(Incident.requester),
            selectinload(Incident.participants),
            selectinload(Incident.category),
            selectinload(Incident.service),
            selectinload(Incident.assigned_team),
            selectinload(Incident.assigned_agent),
            selectinload(Incident.owner_team),
            selectinload(Incident.owner_agent),
            selectinload(Incident.problem),
            selectinload(Incident.caused_by_change),
            selectinload(Incident.merged_into),
        )
        .execution_options(yield_per=batch_size)
    )
    if since is not None:
        statement = statement.where(
            or_(Incident.updated_at >= since, Incident.last_activity_at >= since)
        )
    # A session of our own: emptying it after each batch keeps memory flat without
    # detaching anything the caller holds in db.session.
    with Session(db.engine) as session:
        for batch in session.scalars(statement).partitions():
            history = _History.load(session, batch)
            for incident in batch:
                yield incident_record(incident, history)
            # One by one: expunge_all() would swap the identity map under the open result.
            for loaded in list(session.identity_map.values()):
                session.expunge(loaded)


def incident_record(incident: Incident, history: _History) -> dict[str, Any]:
    """Everything about one incident as plain JSON values."""
    return {
        "reference": incident.reference,
        "subject": incident.subject,
        "description": incident.description,
        "channel": incident.channel,
        "requester": person(incident.requester),
        "participants": [person(user) for user in incident.participants],
        "category": incident.category.name if incident.category else None,
        "service": incident.service.name if incident.service else None,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "priority": incident.priority,
        "priority_label": priority_label(incident.priority),
        "priority_override_reason": incident.priority_override_reason,
        "status": incident.status,
        "on_hold_reason": incident.on_hold_reason,
        "assigned_team": incident.assigned_team.name if incident.assigned_team else None,
        "assigned_agent": person(incident.assigned_agent),
        "owner_team": incident.owner_team.name if incident.owner_team else None,
        "owner_agent": person(incident.owner_agent),
        **{name: iso(getattr(incident, name)) for name in TIMESTAMPS},
        "resolution": _resolution(incident),
        "problem_reference": incident.problem.reference if incident.problem else None,
        "change_reference": (
            incident.caused_by_change.reference if incident.caused_by_change else None
        ),
        "links": history.links_of(incident),
        "satisfaction": _satisfaction(incident),
        "messages": [message_record(m) for m in history.messages[incident.id]],
        "audit_events": [event_record(e) for e in history.events[incident.id]],
    }


TIMESTAMPS = (
    "created_at",
    "updated_at",
    "last_activity_at",
    "first_response_at",
    "response_due_at",
    "resolution_due_at",
    "sla_paused_at",
    "resolved_at",
    "closed_at",
)


def message_record(message: Message) -> dict[str, Any]:
    """One message of the conversation, with its attachments' metadata (not their bytes)."""
    return {
        "kind": message.kind,
        "channel": message.channel,
        "author": person(message.author),
        "body": message.body,
        "created_at": iso(message.created_at),
        "email_message_id": message.email_message_id,
        "needs_review": message.needs_review,
        "review_reason": message.review_reason,
        "attachments": [
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
            }
            for attachment in message.attachments
        ],
    }


def event_record(event: AuditEvent) -> dict[str, Any]:
    """One audit trail entry."""
    return {
        "actor": person(event.actor),
        "action": event.action,
        "details": event.details,
        "created_at": iso(event.created_at),
    }


def _resolution(incident: Incident) -> dict[str, Any] | None:
    """How the incident was resolved, or None while it has no resolution."""
    if not (incident.resolution_code or incident.resolution_notes or incident.workaround):
        return None
    return {
        "code": incident.resolution_code,
        "label": RESOLUTION_CODES.get(incident.resolution_code or ""),
        "notes": incident.resolution_notes,
        "workaround": incident.workaround,
    }


def _satisfaction(incident: Incident) -> dict[str, Any] | None:
    """The requester's rating, or None if they have not rated."""
    if incident.satisfaction_rating is None:
        return None
    return {"rating": incident.satisfaction_rating, "comment": incident.satisfaction_comment}


class _History:
    """Messages, audit events and links of one batch of incidents, fetched in a few queries."""

    def __init__(self) -> None:
        """Start empty; load() fills it."""
        self.messages: dict[int, list[Message]] = defaultdict(list)
        self.events: dict[int, list[AuditEvent]] = defaultdict(list)
        self.related: dict[int, list[str]] = defaultdict(list)
        self.merged_from: dict[int, list[str]] = defaultdict(list)
        self.references: dict[int, str] = {}

    @classmethod
    def load(cls, session: Session, batch: Sequence[Incident]) -> _History:
        """Fetch the history of a batch of incidents."""
        history = cls()
        ids = [incident.id for incident in batch]
        messages = (
            select(Message)
            .where(Message.incident_id.in_(ids))
            .options(selectinload(Message.author), selectinload(Message.attachments))
            .order_by(Message.created_at, Message.id)
        )
        for message in session.scalars(messages):
            history.messages[message.incident_id].append(message)
        events = (
            select(AuditEvent)
            .where(AuditEvent.about_any(INCIDENT, ids))
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.id)
        )
        for event in session.scalars(events):
            history.events[event.subject_id].append(event)
        history._load_links(session, batch)
        return history

    def _load_links(self, session: Session, batch: Sequence[Incident]) -> None:
        """Collect related references (both directions), duplicates merged in, follow-ups."""
        ids = [incident.id for incident in batch]
        pairs = session.execute(
            select(IncidentLink.low_id, IncidentLink.high_id).where(
                or_(IncidentLink.low_id.in_(ids), IncidentLink.high_id.in_(ids))
            )
        ).all()
        merged = session.execute(
            select(Incident.id, Incident.merged_into_id).where(Incident.merged_into_id.in_(ids))
        ).all()
        wanted = {i for pair in pairs for i in pair} | {i for row in merged for i in row}
        wanted |= {incident.reopened_from_id for incident in batch if incident.reopened_from_id}
        self.references = {
            ident: reference or ""
            for ident, reference in session.execute(
                select(Incident.id, Incident.reference).where(Incident.id.in_(wanted))
            )
        }
        for low, high in pairs:
            self.related[low].append(self.references[high])
            self.related[high].append(self.references[low])
        for duplicate, target in merged:
            if target is not None:
                self.merged_from[target].append(self.references[duplicate])

    def links_of(self, incident: Incident) -> dict[str, Any]:
        """The incident's relations to other incidents, by reference."""
        reopened = incident.reopened_from_id
        return {
            "related": sorted(self.related[incident.id]),
            "merged_into": incident.merged_into.reference if incident.merged_into else None,
            "merged_from": sorted(self.merged_from[incident.id]),
            "reopened_from": self.references.get(reopened) if reopened else None,
        }
