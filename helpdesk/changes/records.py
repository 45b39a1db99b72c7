"""Creating and editing change records: what changes, where (its services), when (its planned
window) and by whom (an agent); the status and the actual window move in status.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from helpdesk.changes.audit import record
from helpdesk.changes.windows import check_planned
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.zones import utc_iso
from helpdesk.extensions import db
from helpdesk.incidents.participants import person_label
from helpdesk.models import Change, Service, User, utcnow
from helpdesk.references import CHANGE_PREFIX, spell_reference

TITLE_MAX = check.SUBJECT_MAX
EXTERNAL_ID_MAX = 100
SERVICES_MAX = 50


@dataclass
class ChangePlan:
    """What an agent (or an external change system) says about a change: everything but its
    status and actual window."""

    title: str
    planned_start: datetime | None
    planned_end: datetime | None
    service_ids: list[int] = field(default_factory=list)
    description: str = ""
    implementer_id: int | None = None
    external_id: str | None = None


@unit_of_work
def create_change(actor: User, plan: ChangePlan) -> Change:
    """Record a new planned change; its reference (CHG-000123) follows from its number."""
    check.require_agent(actor)
    values = checked(plan)
    now = utcnow()
    change = Change(status="planned", created_by=actor, created_at=now, updated_at=now)
    assign(change, values)
    db.session.add(change)
    opened(change, actor)
    commit()
    return change


@unit_of_work
def update_change(change: Change, actor: User, plan: ChangePlan) -> None:
    """Replace what the plan says about the change, recording the fields that changed."""
    check.require_agent(actor)
    changes = assign(change, checked(plan))
    if changes:
        record(change, actor, "updated", changes=changes)
    commit()


def opened(change: Change, actor: User) -> None:
    """Number a change just added to the session and record its creation."""
    db.session.flush()
    change.reference = spell_reference(CHANGE_PREFIX, change.id)
    record(change, actor, "created", external_id=change.external_id)


def checked(plan: ChangePlan) -> dict[str, Any]:
    """The plan's values by attribute name, each checked, or the first refusal."""
    check_planned(plan.planned_start, plan.planned_end)
    return {
        "title": check.required_text(plan.title, "Title", TITLE_MAX),
        "description": check.optional_text(plan.description, "Description") or "",
        "planned_start": plan.planned_start,
        "planned_end": plan.planned_end,
        "services": _services(plan.service_ids),
        "implementer": _implementer(plan.implementer_id),
        "external_id": check.optional_text(plan.external_id, "External id", EXTERNAL_ID_MAX),
    }


def assign(change: Change, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set checked values on the change; return those that changed as [old, new], as the
    audit trail keeps them (times in UTC, services by name, people by name and address)."""
    if values["external_id"] not in (None, change.external_id):
        _refuse_taken(values["external_id"])
    changes = {}
    for name, new in values.items():
        old = getattr(change, name)
        if not _same(old, new):
            changes[name] = [_shown(old), _shown(new)]
            setattr(change, name, new)
    return changes


def _services(ids: list[int]) -> list[Service]:
    """The services the change touches, each once, at least one."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise InvalidInput("Name at least one service the change touches.")
    if len(wanted) > SERVICES_MAX:
        raise InvalidInput(f"A change touches at most {SERVICES_MAX} services.")
    return [service for ident in wanted if (service := check.existing(Service, ident, "service"))]


def _implementer(ident: int | None) -> User | None:
    """The agent who carries the change out, if named."""
    person = check.existing(User, ident, "implementer")
    if person is not None and not (person.is_agent and person.active):
        raise InvalidInput(f"{person.name} cannot implement changes: only active agents can.")
    return person


def _refuse_taken(external_id: str) -> None:
    """Refuse an external id another change has (the unique index guards the race too)."""
    holder = db.session.scalar(select(Change.reference).where(Change.external_id == external_id))
    if holder is not None:
        raise InvalidInput(f"{holder} already has the external id {external_id!r}.")


def _same(old: Any, new: Any) -> bool:
    """Whether a value is unchanged (services whatever their order)."""
    if isinstance(new, list):
        return {service.id for service in old} == {service.id for service in new}
    return bool(old == new)


def _shown(value: Any) -> Any:
    """A value as the audit trail stores it: JSON, and comparable."""
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, User):
        return person_label(value)
    if isinstance(value, list):
        return sorted(service.name for service in value)
    return value
