"""A post-incident review's timeline, built when it is read (nothing is copied into the
review): the incident's audit trail, the key events of its children when it is a major
incident, the monitoring alerts that reached it (each payload that changed something, and
each alert group's first and last sighting) and the major incident's public updates, all
in time order.

Each entry says when, what kind of thing, who (a person's name, an alert source, or none
for the helpdesk itself) and a line of text; `describe` is the pure wording of an audit
event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import (
    AlertGroup,
    AuditEvent,
    Incident,
    MajorIncident,
    PublicUpdate,
    ReceivedAlert,
)
from helpdesk.models.audit import INCIDENT

# The kinds of entry.
AUDIT, CHILD, ALERT, PUBLIC_UPDATE = "audit", "child", "alert", "public_update"
# The major incident service's audit action for a public update (details: update_id).
UPDATE_POSTED = "public_update"
# A child incident's events worth a line in its parent's timeline (its attachment shows in
# the parent's own trail).
CHILD_KEY_ACTIONS = frozenset({"opened", "resolved", "auto_resolved", "reopened", "closed"})
# Alert payloads that only counted one more occurrence: the group's count says it.
QUIET_ALERT_OUTCOMES = frozenset({"repeated", "ignored"})
# Audit actions in words; others read as their name ("took ownership").
PHRASES = {
    "opened": "Opened",
    "status_changed": "Status changed",
    "resolved": "Resolved",
    "auto_resolved": "Resolved automatically",
    "reopened": "Reopened",
    "closed": "Closed",
    "replied": "Public reply",
    "noted": "Internal note",
    "classified": "Reclassified",
}
# Details shown after the words, in this order, when the event has them.
SHOWN_DETAILS = ("to", "priority", "team", "agent", "reference", "target", "reason", "phase")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    at: datetime
    kind: str
    who: str | None
    text: str


def describe(action: str, details: Mapping[str, Any]) -> str:
    """An audit event in a line: its action in words, then its telling details."""
    words = PHRASES.get(action) or action.replace("_", " ").capitalize()
    keys = SHOWN_DETAILS if action == "status_changed" else SHOWN_DETAILS[1:]  # "to": its name
    shown = [
        f"{key.replace('_', ' ')} {details[key]}"
        for key in keys
        if details.get(key) not in (None, "", [], {})
    ]
    return f"{words} ({', '.join(shown)})" if shown else words


def timeline(incident: Incident) -> list[Entry]:
    """Every entry about the incident and its major side, oldest first. The audit trails of
    the incident and its children are read as one, so events recorded at the same instant
    (a major incident resolving its children) keep the order they were recorded in."""
    updates = _public_updates(incident)
    entries = [*_trail(incident, updates), *_alerts(incident), *updates.values()]
    return sorted(entries, key=lambda entry: entry.at)  # stable: ties keep the order above


def _trail(incident: Incident, updates: dict[int, Entry]) -> list[Entry]:
    """The incident's audit trail and its children's key events, in the order recorded; a
    public update's own event stands for the update (taken out of `updates`)."""
    references = dict(
        db.session.execute(
            select(Incident.id, Incident.reference).where(Incident.parent_id == incident.id)
        ).all()
    )
    entries = []
    for event in _events([incident.id, *references]):
        details = event.details or {}
        if event.subject_id != incident.id:
            if event.action in CHILD_KEY_ACTIONS:
                text = f"{references[event.subject_id]}: {describe(event.action, details)}"
                entries.append(Entry(event.created_at, CHILD, _who(event), text))
        elif event.action == UPDATE_POSTED and details.get("update_id") in updates:
            update = updates.pop(details["update_id"])
            entries.append(Entry(event.created_at, PUBLIC_UPDATE, update.who, update.text))
        else:
            entries.append(
                Entry(event.created_at, AUDIT, _who(event), describe(event.action, details))
            )
    return entries


def _events(subject_ids: list[int]) -> list[AuditEvent]:
    """The incidents' audit events in the order recorded, with their actors."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.about_any(INCIDENT, subject_ids))
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def _who(event: AuditEvent) -> str | None:
    """The actor's name, or None for the helpdesk."""
    return event.actor.name if event.actor else None


def _alerts(incident: Incident) -> list[Entry]:
    """The alert payloads that changed the incident, and each alert group's first and last
    sighting."""
    received = db.session.scalars(
        select(ReceivedAlert)
        .where(ReceivedAlert.incident_id == incident.id)
        .order_by(ReceivedAlert.received_at, ReceivedAlert.id)
    )
    entries = [
        Entry(alert.received_at, ALERT, alert.source, f"Alert {alert.outcome}")
        for alert in received
        if alert.outcome not in QUIET_ALERT_OUTCOMES
    ]
    for group in db.session.scalars(
        select(AlertGroup).where(AlertGroup.incident_id == incident.id).order_by(AlertGroup.id)
    ):
        entries.append(
            Entry(group.first_seen_at, ALERT, group.source, f"Alert {group.group_key} first seen")
        )
        entries.append(
            Entry(
                group.last_seen_at,
                ALERT,
                group.source,
                f"Alert {group.group_key} last seen ({group.occurrences} occurrences)",
            )
        )
    return entries


def _public_updates(incident: Incident) -> dict[int, Entry]:
    """The major incident's public updates as published, by id."""
    updates = db.session.scalars(
        select(PublicUpdate)
        .join(MajorIncident, MajorIncident.id == PublicUpdate.major_incident_id)
        .where(MajorIncident.incident_id == incident.id)
        .options(selectinload(PublicUpdate.author))
        .order_by(PublicUpdate.created_at, PublicUpdate.id)
    )
    return {
        update.id: Entry(
            update.created_at,
            PUBLIC_UPDATE,
            update.author.name if update.author else None,
            f"Public update ({update.phase}): {update.body}",
        )
        for update in updates
    }
