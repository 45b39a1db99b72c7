"""After a payload's alerts are applied: each incident where alerts cleared or fired again
gets one internal note saying which (not one per alert: a storm clears fifty at once), and
an incident whose every alert has cleared is resolved "by monitoring" when nobody has
worked on it yet; otherwise it stays for the agent, who now has the note."""

from __future__ import annotations

from collections import defaultdict

from helpdesk.alerts import lookups
from helpdesk.alerts.grouping import Applied
from helpdesk.alerts.recording import CLEARED, REFIRED, RESOLVED
from helpdesk.channels import ALERT
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.conversation import new_message
from helpdesk.incidents.workflow import resolve_unattended
from helpdesk.models import NOTE, Incident

# An existing code, so reports and the agents' choices need no new one: the fault went away
# before the desk found it; the audit trail ("resolved_by_monitoring") says how.
RESOLUTION_CODE = "no_fault_found"
RESOLVED_BY_MONITORING = "resolved_by_monitoring"
NAMES_IN_A_NOTE = 20
SAYS = {CLEARED: "cleared", REFIRED: "fires again"}


def settle(applied: list[Applied]) -> list[str]:
    """Note what cleared or fired again on each incident and resolve those the monitoring
    may; return an outcome (RESOLVED) per incident resolved. The caller's unit commits."""
    news: defaultdict[tuple[int, int], defaultdict[str, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for item in applied:
        if item.outcome in SAYS and item.incident_id and item.group_id:
            news[(item.incident_id, item.group_id)][item.outcome].append(item.alert.name)
    resolved = []
    for (incident_id, group_id), names in news.items():
        incident = db.session.get(Incident, incident_id)
        assert incident is not None  # found by the alert's key in this transaction
        _note(incident, names)
        if CLEARED in names and _may_resolve(incident, group_id):
            resolve_unattended(incident, RESOLUTION_CODE, _notes(names), RESOLVED_BY_MONITORING)
            resolved.append(RESOLVED)
    return resolved


def _may_resolve(incident: Incident, group_id: int) -> bool:
    """Every alert of the incident has cleared, and nobody has worked on it."""
    return (
        incident.is_open and not lookups.still_firing(group_id) and not lookups.worked_on(incident)
    )


def _note(incident: Incident, names: dict[str, list[str]]) -> None:
    """One internal note from the monitoring (the system) for this payload."""
    body = "\n".join(
        f"The monitoring says {_alerts(names[outcome])} {SAYS[outcome]}: {_listed(names[outcome])}."
        for outcome in SAYS
        if names.get(outcome)
    )
    message = new_message(incident, None, NOTE, body, ALERT, None, None)
    record(incident, None, "noted", message_id=message.id)


def _notes(names: dict[str, list[str]]) -> str:
    """The resolution notes the requester side reads."""
    return (
        "Resolved by monitoring: every alert of this incident cleared before anyone worked "
        f"on it (last: {_listed(names[CLEARED])})."
    )


def _alerts(names: list[str]) -> str:
    """ "this alert", or "these 3 alerts"."""
    return "this alert" if len(names) == 1 else f"these {len(names)} alerts"


def _listed(names: list[str]) -> str:
    """Names for a sentence, the first few of a storm and how many more."""
    shown = ", ".join(names[:NAMES_IN_A_NOTE])
    more = len(names) - NAMES_IN_A_NOTE
    return f"{shown} and {more} more" if more > 0 else shown
