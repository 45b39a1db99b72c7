"""Changing SLA calendars and policies: every change is checked by the parsers the clock and
`helpdesk sla simulate` use (parse_calendar, parse_policy), so a bad value gets the same
field-naming message everywhere, then audited and committed.

The rules, checked here and, where the databases can, by the tables (see helpdesk.models.sla):
- names are unique, regardless of letter case;
- exactly one policy is the default, and it names no service or category; every other policy
  names a service, a category or both, and no two policies name the same pair;
- a calendar a policy uses cannot be deleted, nor can the default policy.

`replace_all` sets every calendar and policy at once (a TOML import): it checks the rules on
the outcome, not on each step, so a file may move the default to another policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from helpdesk.core import audit
from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.validation import existing, required_text
from helpdesk.extensions import db
from helpdesk.models import Category, Service, SlaCalendar, SlaPolicy, User
from helpdesk.models.sla import ESCALATE_ON
from helpdesk.sla.calendar import WEEKDAYS, CalendarError, parse_calendar
from helpdesk.sla.spec import (
    DEFAULT_PAUSE_ON,
    DEFAULT_WARN_AT,
    PRIORITIES,
    PolicySpecError,
    parse_policy,
)

# The audit trail's subject types for the two records.
CALENDAR = "sla_calendar"
POLICY = "sla_policy"
NAME_MAX = 80

Row = TypeVar("Row", SlaCalendar, SlaPolicy)
ESCALATE_ON_LABELS = {
    "never": "Never: tell the owner and the team lead only",
    "warning": "At the first warning of a target",
    "breach": "At the first breach of a target",
}


@dataclass(frozen=True)
class PolicyFields:
    """A policy as an admin states it: its calendar by name (calendars are known by their
    unique names, in files too), targets as {"P1": {"response": "15m", ...}, ...}."""

    calendar: str
    targets: Mapping[str, Mapping[str, Any]]
    pause_on: list[str] = field(default_factory=lambda: list(DEFAULT_PAUSE_ON))
    warn_at: float = DEFAULT_WARN_AT
    service_id: int | None = None
    category_id: int | None = None
    is_default: bool = False
    # ESCALATE_ON: "warning" or "breach" moves an incident to its team's escalation team by
    # itself at the first warning or breach (helpdesk.incidents.escalation); "never" does not.
    escalate_on: str = "never"


@dataclass
class Summary:
    """What `replace_all` did, as "calendar <name>" and "policy <name>" entries."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def calendars() -> list[SlaCalendar]:
    """Every calendar, by name."""
    return list(db.session.scalars(select(SlaCalendar).order_by(SlaCalendar.name)))


def policies() -> list[SlaPolicy]:
    """Every policy, by name."""
    return list(db.session.scalars(select(SlaPolicy).order_by(SlaPolicy.name)))


def calendar(calendar_id: int) -> SlaCalendar:
    """Load a calendar or raise NotFound."""
    found = existing(SlaCalendar, calendar_id, "SLA calendar")
    assert found is not None
    return found


def policy(policy_id: int) -> SlaPolicy:
    """Load a policy or raise NotFound."""
    found = existing(SlaPolicy, policy_id, "SLA policy")
    assert found is not None
    return found


@unit_of_work
def create_calendar(actor: User | None, name: str, spec: Mapping[str, Any]) -> SlaCalendar:
    """Add a calendar from a parse_calendar spec; `actor` None is the command line."""
    _require_admin(actor)
    created, _ = _put_calendar(actor, None, name, spec)
    _save()
    return created


@unit_of_work
def update_calendar(
    actor: User | None, calendar_id: int, name: str, spec: Mapping[str, Any]
) -> SlaCalendar:
    """Rename a calendar or change its hours, holidays or zone."""
    _require_admin(actor)
    changed, _ = _put_calendar(actor, calendar(calendar_id), name, spec)
    _save()
    return changed


@unit_of_work
def delete_calendar(actor: User | None, calendar_id: int) -> None:
    """Delete a calendar no policy uses."""
    _require_admin(actor)
    _remove_calendar(actor, calendar(calendar_id))
    _save()


@unit_of_work
def create_policy(actor: User | None, name: str, fields: PolicyFields) -> SlaPolicy:
    """Add a policy; a second default or a second policy for its scope is refused."""
    _require_admin(actor)
    created, _ = _put_policy(actor, None, name, fields)
    _save()
    return created


@unit_of_work
def update_policy(actor: User | None, policy_id: int, name: str, fields: PolicyFields) -> SlaPolicy:
    """Change a policy; the default stays the default (there must always be one)."""
    _require_admin(actor)
    changed = policy(policy_id)
    if changed.is_default and not fields.is_default:
        raise InvalidInput(f"{changed.name} is the default policy, and there must be one.")
    _put_policy(actor, changed, name, fields)
    _save()
    return changed


@unit_of_work
def delete_policy(actor: User | None, policy_id: int) -> None:
    """Delete a policy other than the default; its incidents fall back to the next match."""
    _require_admin(actor)
    removed = policy(policy_id)
    if removed.is_default:
        raise InvalidInput(f"{removed.name} is the default policy and cannot be deleted.")
    _remove_policy(actor, removed)
    _save()


@unit_of_work
def replace_all(
    actor: User | None,
    calendar_specs: Mapping[str, Mapping[str, Any]],
    policy_fields: Mapping[str, PolicyFields],
) -> Summary:
    """Make the calendars and policies exactly these, by name: create, update, delete. One
    unit: any refusal leaves everything as it was."""
    _require_admin(actor)
    defaults = [name for name, fields in policy_fields.items() if fields.is_default]
    if len(defaults) != 1:
        raise InvalidInput(f"Exactly one policy must be the default, not {len(defaults)}.")
    summary = Summary()
    stored_calendars = {row.name: row for row in calendars()}
    stored_policies = {row.name: row for row in policies()}
    for name in sorted(stored_policies.keys() - policy_fields.keys()):
        _remove_policy(actor, stored_policies[name])
        summary.deleted.append(f"policy {name}")
    db.session.flush()
    for name, spec in calendar_specs.items():
        stored = stored_calendars.get(name)
        _, changed = _put_calendar(actor, stored, name, spec)
        _note(summary, f"calendar {name}", stored is None, changed)
    # The default last: the old default has given up the unscoped place by then.
    for name, fields in sorted(policy_fields.items(), key=lambda item: item[1].is_default):
        stored_policy = stored_policies.get(name)
        _, changed = _put_policy(actor, stored_policy, name, fields)
        _note(summary, f"policy {name}", stored_policy is None, changed)
    for name in sorted(stored_calendars.keys() - calendar_specs.keys()):
        _remove_calendar(actor, stored_calendars[name])
        summary.deleted.append(f"calendar {name}")
    _save()
    return summary


def _note(summary: Summary, label: str, created: bool, changed: bool) -> None:
    """File one write under created, updated or unchanged."""
    if created:
        summary.created.append(label)
    else:
        (summary.updated if changed else summary.unchanged).append(label)


def _require_admin(actor: User | None) -> None:
    """SLA policies are for admins (None is the command line, run by whoever runs the
    server)."""
    if actor is not None and not actor.is_admin:
        raise NotAllowed("Only admins can change SLA calendars and policies.")


def _put_calendar(
    actor: User | None, row: SlaCalendar | None, name: str, spec: Mapping[str, Any]
) -> tuple[SlaCalendar, bool]:
    """Create (row None) or update a calendar from a checked spec; audit what changed."""
    clean = _name(SlaCalendar, name, "calendar", row)
    try:
        parsed = parse_calendar(spec)
    except CalendarError as error:
        raise InvalidInput(f"Calendar {clean}: {error}") from error
    values = {
        "name": clean,
        "timezone": parsed.timezone,
        "hours": {day: list(spec["hours"][day]) for day in WEEKDAYS if day in spec["hours"]},
        "holidays": sorted(day.isoformat() for day in parsed.holidays),
        "country": parsed.country,
        "subdivision": parsed.subdivision,
    }
    return _put(actor, CALENDAR, row or SlaCalendar(), values)


def _put_policy(
    actor: User | None, row: SlaPolicy | None, name: str, fields: PolicyFields
) -> tuple[SlaPolicy, bool]:
    """Create (row None) or update a policy from checked fields; audit what changed."""
    clean = _name(SlaPolicy, name, "policy", row)
    on = _calendar_named(fields.calendar, clean)
    spec = {
        "calendar": on.spec(),
        "targets": fields.targets,
        "pause_on": fields.pause_on,
        "warn_at": fields.warn_at,
    }
    try:
        parse_policy(spec, every_priority=True)
    except PolicySpecError as error:
        raise InvalidInput(f"Policy {clean}: {error}") from error
    _check_scope(clean, fields, row)
    if fields.escalate_on not in ESCALATE_ON:
        raise InvalidInput(
            f"Policy {clean}: escalate on {fields.escalate_on!r}? "
            f"Choose one of {', '.join(ESCALATE_ON)}."
        )
    values = {
        "name": clean,
        "calendar_id": on.id,
        "targets": {key: dict(fields.targets[key]) for key in PRIORITIES},
        "pause_on": list(fields.pause_on),
        "warn_at": float(fields.warn_at),
        "service_id": fields.service_id,
        "category_id": fields.category_id,
        "is_default": fields.is_default,
        "escalate_on": fields.escalate_on,
    }
    return _put(actor, POLICY, row or SlaPolicy(), values)


def _put(actor: User | None, subject: str, row: Row, values: dict[str, Any]) -> tuple[Row, bool]:
    """Write `values` to a new or stored row and audit it: a new row with all its values,
    a stored one with the values that changed (none: no event). Returns (row, changed)."""
    if row.id is None:
        for key, value in values.items():
            setattr(row, key, value)
        db.session.add(row)
        db.session.flush()
        audit.record(subject, row.id, actor, "created", **values)
        return row, True
    changes = {
        key: [getattr(row, key), value]
        for key, value in values.items()
        if getattr(row, key) != value
    }
    for key, (_, value) in changes.items():
        setattr(row, key, value)
    if changes:
        db.session.flush()
        audit.record(subject, row.id, actor, "updated", name=row.name, changes=changes)
    return row, bool(changes)


def _remove_calendar(actor: User | None, row: SlaCalendar) -> None:
    users = select(SlaPolicy.name).where(SlaPolicy.calendar_id == row.id)
    user = db.session.scalars(users.order_by(SlaPolicy.name)).first()
    if user is not None:
        raise InvalidInput(f"Calendar {row.name} is used by the policy {user}; it stays.")
    audit.record(CALENDAR, row.id, actor, "deleted", name=row.name)
    db.session.delete(row)


def _remove_policy(actor: User | None, row: SlaPolicy) -> None:
    audit.record(POLICY, row.id, actor, "deleted", name=row.name)
    db.session.delete(row)


def _name(model: type[SlaCalendar] | type[SlaPolicy], name: str, what: str, row: Any) -> str:
    """A stripped name no other calendar (or policy) has, regardless of letter case."""
    clean = " ".join(required_text(name, f"The {what} name", NAME_MAX).split())
    own_id = row.id if row is not None else None
    clash = db.session.scalars(
        select(model.name).where(func.lower(model.name) == clean.lower(), model.id != (own_id or 0))
    ).first()
    if clash is not None:
        raise InvalidInput(f"There is already a {what} called {clash}.")
    return clean


def _calendar_named(name: str, policy_name: str) -> SlaCalendar:
    found = db.session.scalars(select(SlaCalendar).where(SlaCalendar.name == name)).first()
    if found is None:
        raise InvalidInput(f"Policy {policy_name}: there is no calendar called {name!r}.")
    return found


def _check_scope(name: str, fields: PolicyFields, row: SlaPolicy | None) -> None:
    """The default names no service or category, every other policy does, and no two
    policies name the same pair (the pair of none being the default's)."""
    service = existing(Service, fields.service_id, "service")
    category = existing(Category, fields.category_id, "category")
    scoped = service is not None or category is not None
    if fields.is_default and scoped:
        raise InvalidInput(
            f"Policy {name}: the default applies when no other policy does, "
            "so it names no service or category."
        )
    if not fields.is_default and not scoped:
        raise InvalidInput(
            f"Policy {name}: name a service, a category or both (or make it the default)."
        )
    same_scope = select(SlaPolicy.name).where(
        SlaPolicy.service_id == fields.service_id,  # `== None` is IS NULL
        SlaPolicy.category_id == fields.category_id,
        SlaPolicy.id != (row.id if row is not None else 0),
    )
    clash = db.session.scalars(same_scope).first()
    if clash is None:
        return
    if not scoped:
        raise InvalidInput(f"Policy {name}: {clash} is already the default policy.")
    named = (("service", service), ("category", category))
    scope = " and ".join(f"{kind} {entry.name}" for kind, entry in named if entry)
    raise InvalidInput(f"Policy {name}: {clash} already applies to {scope}.")


def _save() -> None:
    """Commit (or flush inside an outer unit); a unique name or scope taken meanwhile by
    another admin becomes a readable refusal (the unit rolls the session back)."""
    try:
        commit()
    except IntegrityError as error:
        raise InvalidInput(
            "Another change to the SLA policies got there first; reload and try again."
        ) from error
