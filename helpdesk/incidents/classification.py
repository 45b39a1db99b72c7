"""Classification: category, affected service, impact, urgency, and the priority they give."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.validation import Entry
from helpdesk.incidents.audit import record
from helpdesk.incidents.events import Reclassified
from helpdesk.incidents.guard import ensure
from helpdesk.models import Category, Incident, Service, User
from helpdesk.permissions import Action
from helpdesk.priority import PRIORITY_LABELS, priority_for

# What the SLA policy (service, category) and its targets (priority) depend on.
SLA_CHANGES = frozenset({"priority", "service", "category"})


@dataclass
class Classification:
    """An agent's classification of an incident; override_priority needs a reason."""

    impact: str
    urgency: str
    category_id: int | None = None
    service_id: int | None = None
    override_priority: int | None = None
    override_reason: str | None = None


@unit_of_work
def classify(incident: Incident, actor: User, change: Classification) -> None:
    """Apply a classification and recompute the priority (or take the override); a new
    priority, service or category is published, as it may change the SLA targets."""
    ensure(Action.CLASSIFY, actor, incident)
    category = _catalogue_change(Category, incident.category_id, change.category_id, "category")
    service = _catalogue_change(Service, incident.service_id, change.service_id, "service")
    priority, reason = _chosen_priority(change)
    before = _snapshot(incident)
    incident.impact = change.impact
    incident.urgency = change.urgency
    incident.category = category
    incident.service = service
    incident.priority_override_reason = reason
    incident.priority = priority
    changes = {k: [before[k], v] for k, v in _snapshot(incident).items() if before[k] != v}
    if changes:
        record(incident, actor, "classified", changes=changes, reason=reason)
    if changes.keys() & SLA_CHANGES:
        events.publish(Reclassified(incident, actor))
    commit()


def _chosen_priority(change: Classification) -> tuple[int, str | None]:
    """Return the matrix priority, or the override together with its required reason."""
    matrix = priority_for(
        check.level(change.impact, "Impact"), check.level(change.urgency, "Urgency")
    )
    if change.override_priority is None or change.override_priority == matrix:
        return matrix, None
    if change.override_priority not in PRIORITY_LABELS:
        raise InvalidInput("Priority must be from 1 to 5.")
    reason = check.required_text(
        change.override_reason, "A reason for overriding the priority", 255
    )
    return change.override_priority, reason


def _catalogue_change(
    model: type[Entry], current: int | None, wanted: int | None, label: str
) -> Entry | None:
    """Keep a retired entry the incident already has; a newly chosen one must be active."""
    if wanted == current:
        return check.existing(model, wanted, label)
    return check.active_catalogue_entry(model, wanted, label)


def _snapshot(incident: Incident) -> dict[str, object]:
    """The classified fields as plain values, for the audit trail's before/after."""
    return {
        "impact": incident.impact,
        "urgency": incident.urgency,
        "priority": incident.priority,
        "category": incident.category.name if incident.category else None,
        "service": incident.service.name if incident.service else None,
    }
