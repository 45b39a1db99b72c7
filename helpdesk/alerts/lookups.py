"""The alerts' reads and small writes: which incident holds an alert or a group (one indexed
lookup each), counting a repeat (one UPDATE), letting go of a finished incident's keys, and
whether anyone has worked on an alert's incident."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update

from helpdesk import lifecycle
from helpdesk.alerts.parsing import SOURCE_NAMES
from helpdesk.channels import ALERT
from helpdesk.extensions import db
from helpdesk.models import (
    AlertGroup,
    AuditEvent,
    CatalogueEntry,
    Incident,
    MonitoredAlert,
    utcnow,
)
from helpdesk.models.audit import INCIDENT


class Held(NamedTuple):
    """An alert or a group that holds its key, with the incident it belongs to."""

    group_id: int
    incident_id: int
    reference: str | None
    status: str
    alert_id: int | None = None
    firing: bool = False

    @property
    def is_open(self) -> bool:
        """Its incident still takes repeats (neither resolved, closed nor cancelled)."""
        return self.status in lifecycle.OPEN_STATUSES


def open_key(person_id: int, source: str, kind: str, key: str) -> str:
    """The key an alert or a group (`kind`) holds while its incident is open: whose it is
    (two integrations may both say "disk-full"), from where, and the sender's own key,
    hashed to a fixed size however long the sender's is."""
    return hashlib.sha256(f"{kind}\n{source}\n{person_id}\n{key}".encode()).hexdigest()


def alert_holding(key: str) -> Held | None:
    """The alert holding `key`, with its group and incident, in one query."""
    row = db.session.execute(
        select(
            AlertGroup.id,
            Incident.id,
            Incident.reference,
            Incident.status,
            MonitoredAlert.id,
            MonitoredAlert.firing,
        )
        .join(AlertGroup, MonitoredAlert.group_id == AlertGroup.id)
        .join(Incident, AlertGroup.incident_id == Incident.id)
        .where(MonitoredAlert.open_key == key)
    ).first()
    return Held(*row) if row else None


def group_holding(key: str) -> Held | None:
    """The group holding `key`, with its incident."""
    row = db.session.execute(
        select(AlertGroup.id, Incident.id, Incident.reference, Incident.status)
        .join(Incident, AlertGroup.incident_id == Incident.id)
        .where(AlertGroup.open_key == key)
    ).first()
    return Held(*row) if row else None


def count_occurrence(group_id: int) -> None:
    """One more firing alert for the group, seen now."""
    db.session.execute(
        update(AlertGroup)
        .where(AlertGroup.id == group_id)
        .values(occurrences=AlertGroup.occurrences + 1, last_seen_at=utcnow())
    )


def set_firing(alert_id: int, firing: bool) -> bool:
    """Mark an alert firing again, or cleared; False when it already was (another request
    got there first), so the change is noted once."""
    done = db.session.execute(
        update(MonitoredAlert)
        .where(MonitoredAlert.id == alert_id, MonitoredAlert.firing.is_(not firing))
        .values(firing=firing)
    )
    return bool(getattr(done, "rowcount", 0))


def let_go(group_id: int) -> None:
    """Free the keys of a group whose incident is finished, and of its alerts, for a new
    incident to take."""
    db.session.execute(update(AlertGroup).where(AlertGroup.id == group_id).values(open_key=None))
    db.session.execute(
        update(MonitoredAlert).where(MonitoredAlert.group_id == group_id).values(open_key=None)
    )


def lock_group(group_id: int) -> None:
    """Take the group's row lock (PostgreSQL; SQLite's writer holds its one lock already), so
    two payloads clearing its last alerts at once see each other's and one resolves it."""
    db.session.execute(select(AlertGroup.id).where(AlertGroup.id == group_id).with_for_update())


def still_firing(group_id: int) -> bool:
    """Whether any alert of the group is firing."""
    found = db.session.scalar(
        select(MonitoredAlert.id)
        .where(MonitoredAlert.group_id == group_id, MonitoredAlert.firing.is_(True))
        .limit(1)
    )
    return found is not None


def worked_on(incident: Incident) -> bool:
    """Whether someone besides the monitoring has touched the incident: an agent assigned,
    a public reply given, or anything done by a person other than its requester (the
    integration's account) in the audit trail (a note, a status, a classification)."""
    if incident.assigned_agent_id is not None or incident.first_response_at is not None:
        return True
    someone = db.session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.about(INCIDENT, incident.id),
            AuditEvent.actor_id.is_not(None),
            AuditEvent.actor_id != incident.requester_id,
        )
        .limit(1)
    )
    return someone is not None


def active_entry_id(model: type[CatalogueEntry], name: str | None) -> int | None:
    """The id of the active category or service so named (any case), None when there is no
    such name (a label the desk's catalogue does not know is no error)."""
    wanted = (name or "").strip().lower()
    if not wanted:
        return None
    return db.session.scalar(
        select(model.id).where(func.lower(model.name) == wanted, model.active.is_(True)).limit(1)
    )


@dataclass(frozen=True)
class AlertFacts:
    """What the agent's incident page says of an incident opened by alerts."""

    source: str  # "Prometheus Alertmanager"
    group_key: str
    occurrences: int
    last_seen_at: datetime


def alert_facts(incident: Incident) -> AlertFacts | None:
    """The facts of an incident opened by alerts; None, without a query, for any other."""
    if incident.channel != ALERT:
        return None
    group = db.session.scalar(select(AlertGroup).where(AlertGroup.incident_id == incident.id))
    if group is None:
        return None
    source = SOURCE_NAMES.get(group.source, group.source)
    return AlertFacts(source, group.group_key, group.occurrences, group.last_seen_at)
