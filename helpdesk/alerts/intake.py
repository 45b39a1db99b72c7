"""Alerts in: a payload from Alertmanager or an Events v2 sender becomes incidents, through
the incident service like any other intake. Every payload is kept (recording.py): a
malformed one, with the reason, is refused with that reason; one that fails unexpectedly is
kept with the error after its changes are rolled back.

A payload is one transaction: its record, every alert applied (grouping.py, each in its own
savepoint) and the notes and resolutions that follow (settling.py). The common case, a
repeat of an open alert, costs one indexed lookup and one UPDATE besides the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helpdesk.alerts import grouping, parsing, recording, settling
from helpdesk.alerts.mapping import SeverityMap
from helpdesk.alerts.parsing import Alert, MalformedAlert
from helpdesk.alerts.recording import FAILED, MALFORMED
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import User

PARSERS: dict[str, Callable[[bytes], list[Alert]]] = {
    "alertmanager": parsing.parse_alertmanager,
    "events": parsing.parse_event,
}


@dataclass(frozen=True)
class Receipt:
    """What a payload did: its outcome, the incidents it reached, the keys of its alerts."""

    outcome: str
    references: list[str]
    keys: list[str]


def receive(source: str, person: User, body: bytes, mapping: SeverityMap) -> Receipt:
    """Keep and apply a payload of `source` (alertmanager or events) sent by `person`'s
    token; raise MalformedAlert (kept first) for one that cannot be read."""
    try:
        alerts = PARSERS[source](body)
    except MalformedAlert as error:
        recording.keep_refused(source, person, body, MALFORMED, error.reason)
        raise
    try:
        return _apply(source, person, body, alerts, mapping)
    except Exception as error:
        db.session.rollback()
        recording.keep_refused(source, person, body, FAILED, f"{type(error).__name__}: {error}")
        raise


def _apply(
    source: str, person: User, body: bytes, alerts: list[Alert], mapping: SeverityMap
) -> Receipt:
    with transaction():
        applied = [grouping.apply(alert, person, mapping) for alert in alerts]
        resolved = settling.settle(applied)
        outcome = recording.weightiest([item.outcome for item in applied] + resolved)
        reached = [item for item in applied if item.incident_id is not None]
        first = reached[0].incident_id if reached else None
        recording.keep(source, person, body, outcome, incident_id=first)
    references = dict.fromkeys(item.reference for item in reached if item.reference)
    return Receipt(outcome, list(references), [alert.key for alert in alerts])
