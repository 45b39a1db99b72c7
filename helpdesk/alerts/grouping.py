"""One alert applied: a repeat counts on its open incident, a new alert of an open group
joins that group's incident, anything else opens an incident (linked to the earlier one
when the alert or its group had one that is finished now); a cleared alert is marked so.

Each alert is applied in a SAVEPOINT: when another request has just taken the same key (two
notifications of one new alert at once, on PostgreSQL), the unique index refuses the second
insert, the savepoint rolls back alone, and the alert is applied again, finding the first
request's incident.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from helpdesk.alerts import lookups, parsing
from helpdesk.alerts.mapping import SeverityMap, levels_for
from helpdesk.alerts.parsing import SOURCE_NAMES, Alert, cut
from helpdesk.alerts.recording import (
    ACKNOWLEDGED,
    ADDED,
    CLEARED,
    IGNORED,
    OPENED,
    REFIRED,
    REPEATED,
)
from helpdesk.channels import ALERT
from helpdesk.core.validation import BODY_MAX, SUBJECT_MAX
from helpdesk.core.zones import utc_iso
from helpdesk.extensions import db
from helpdesk.incidents import IncidentReport, open_follow_up, open_reported
from helpdesk.models import AlertGroup, Category, Incident, MonitoredAlert, Service, User, utcnow

# How often an alert is applied again after losing a race for its key.
ATTEMPTS = 3


@dataclass(frozen=True)
class Applied:
    """What one alert did, and to which incident and group."""

    alert: Alert
    outcome: str
    incident_id: int | None = None
    reference: str | None = None
    group_id: int | None = None


def apply(alert: Alert, person: User, mapping: SeverityMap) -> Applied:
    """Apply one alert sent by `person`'s integration (see the module doc); the caller's
    unit commits."""
    attempt = 1
    while True:
        try:
            with db.session.begin_nested():
                return _apply(alert, person, mapping)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            attempt += 1


def _apply(alert: Alert, person: User, mapping: SeverityMap) -> Applied:
    """Fire, or clear or acknowledge the open alert the sender names."""
    if alert.status == parsing.FIRING:
        return _fire(alert, person, mapping)
    held = lookups.alert_holding(lookups.open_key(person.id, alert.source, "alert", alert.key))
    if held is None or not held.is_open:
        return Applied(alert, IGNORED)
    if alert.status == parsing.ACKNOWLEDGED:  # seen in the monitoring: nothing changes here
        return _on(held, alert, ACKNOWLEDGED)
    lookups.lock_group(held.group_id)
    assert held.alert_id is not None
    cleared = lookups.set_firing(held.alert_id, False)
    return _on(held, alert, CLEARED if cleared else IGNORED)  # IGNORED: cleared already


def _fire(alert: Alert, person: User, mapping: SeverityMap) -> Applied:
    """A firing alert: counted where it is open, else added to its open group, else the
    first of a new incident."""
    alert_key = lookups.open_key(person.id, alert.source, "alert", alert.key)
    held = lookups.alert_holding(alert_key)
    if held is not None and held.is_open:
        lookups.count_occurrence(held.group_id)
        assert held.alert_id is not None
        if held.firing or not lookups.set_firing(held.alert_id, True):
            return _on(held, alert, REPEATED)
        return _on(held, alert, REFIRED)
    earlier = held.incident_id if held else None
    if held is not None:
        lookups.let_go(held.group_id)
    group_key = lookups.open_key(person.id, alert.source, "group", alert.group)
    group = lookups.group_holding(group_key)
    if group is not None and group.is_open:
        db.session.add(_monitored(group.group_id, alert, alert_key))
        lookups.count_occurrence(group.group_id)
        db.session.flush()
        return _on(group, alert, ADDED)
    if group is not None:
        lookups.let_go(group.group_id)
        earlier = earlier or group.incident_id
    return _open(alert, person, mapping, alert_key, group_key, earlier)


def _on(held: lookups.Held, alert: Alert, outcome: str) -> Applied:
    """What the alert did to the incident that holds it."""
    return Applied(alert, outcome, held.incident_id, held.reference, held.group_id)


def _monitored(group_id: int, alert: Alert, key: str) -> MonitoredAlert:
    """A new firing alert of a group, holding its key."""
    return MonitoredAlert(
        group_id=group_id, alert_key=alert.key[:500], open_key=key, firing=True, name=alert.name
    )


def _open(
    alert: Alert,
    person: User,
    mapping: SeverityMap,
    alert_key: str,
    group_key: str,
    earlier_id: int | None,
) -> Applied:
    """Open the incident of a new alert and its group, as `person` (the integration's
    account), without an acknowledgement: nobody reads the monitoring's mailbox."""
    levels = levels_for(alert.severity, alert.labels, mapping)
    report = IncidentReport(
        subject=cut(alert.title.strip() or alert.name, SUBJECT_MAX),
        description=cut(describe(alert), BODY_MAX),
        category_id=lookups.active_entry_id(Category, alert.category),
        service_id=lookups.active_entry_id(Service, alert.service),
        impact=levels.impact,
        urgency=levels.urgency,
        channel=ALERT,
        acknowledge=False,
    )
    earlier = db.session.get(Incident, earlier_id) if earlier_id else None
    first = open_follow_up(earlier, person, report) if earlier else open_reported(person, report)
    incident, now = first.incident, utcnow()
    group = AlertGroup(
        incident=incident,
        source=alert.source,
        group_key=alert.group[:500],
        open_key=group_key,
        occurrences=1,
        first_seen_at=now,
        last_seen_at=now,
    )
    db.session.add(group)
    db.session.flush()
    db.session.add(_monitored(group.id, alert, alert_key))
    db.session.flush()
    return Applied(alert, OPENED, incident.id, incident.reference, group.id)


def describe(alert: Alert) -> str:
    """The incident's description: what fires since when, what the monitoring says of it,
    its labels, where to look and which group it is in."""
    since = f" since {utc_iso(alert.started_at)}" if alert.started_at else ""
    parts = [f"{SOURCE_NAMES[alert.source]}: {alert.name} is firing{since}."]
    if alert.details:
        parts.append(alert.details)
    if alert.labels:
        parts.append(
            "\n".join(["Labels:", *(f"- {k}: {v}" for k, v in sorted(alert.labels.items()))])
        )
    if alert.link:
        parts.append(f"Source: {alert.link}")
    if alert.group != alert.key:
        parts.append(f"Alert group: {alert.group}")
    return "\n\n".join(parts)
