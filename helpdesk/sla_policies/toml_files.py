"""SLA calendars and policies as one TOML file, for review in git: `helpdesk sla export`
writes it, `helpdesk sla import` makes the database say exactly what it says.

    [calendars."Office hours"]
    timezone = "Europe/Berlin"
    holidays = [2026-12-25]
    country = "DE"                     # optional, and subdivision likewise
    [calendars."Office hours".hours]
    mon = ["09:00-12:00", "13:00-17:00"]
    [policies.Standard]
    calendar = "Office hours"
    default = true                     # exactly one policy
    pause_on = ["awaiting_user"]
    warn_at = 0.75
    escalate_on = "breach"             # or "warning"; left out: "never"
    [policies.Standard.targets]
    P1 = { response = "15m", resolution = "4h", clock = "24x7" }
    [policies.Network]
    calendar = "Office hours"
    service = "Network"                # by name; category likewise

The values are checked by the same parsers as every other change (store.replace_all), and
what this module adds names the TOML key at fault. Export writes keys in a fixed order and
leaves out what is unset, so export, import elsewhere, export gives the same text.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

import tomli_w
from sqlalchemy import select

from helpdesk.core.errors import InvalidInput
from helpdesk.extensions import db
from helpdesk.models import CatalogueEntry, Category, Service, SlaCalendar, SlaPolicy, User
from helpdesk.models.sla import ESCALATE_ON
from helpdesk.sla.spec import DEFAULT_PAUSE_ON, DEFAULT_WARN_AT, PolicySpecError, fields_of
from helpdesk.sla_policies import store

SECTIONS = frozenset({"calendars", "policies"})
POLICY_KEYS = frozenset(
    {"calendar", "default", "service", "category", "pause_on", "warn_at", "escalate_on", "targets"}
)


def export_toml() -> str:
    """Every calendar and policy, by name."""
    return tomli_w.dumps(
        {
            "calendars": {row.name: _calendar_table(row) for row in store.calendars()},
            "policies": {row.name: _policy_table(row) for row in store.policies()},
        }
    )


def import_toml(text: str, actor: User | None = None) -> store.Summary:
    """Make the calendars and policies those of the file, in one transaction; raises
    InvalidInput naming the line (syntax) or the key (values) at fault, writing nothing."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"Not valid TOML: {error}") from error
    with _keys_named():
        fields_of(document, "", SECTIONS)
        calendars = _tables(document, "calendars")
        policies = {
            name: _policy_fields(table, f"policies.{_key(name)}")
            for name, table in _tables(document, "policies").items()
        }
    return store.replace_all(actor, calendars, policies)


def _calendar_table(row: SlaCalendar) -> dict[str, Any]:
    table: dict[str, Any] = {
        "timezone": row.timezone,
        "holidays": [date.fromisoformat(day) for day in row.holidays],
    }
    for key, value in (("country", row.country), ("subdivision", row.subdivision)):
        if value is not None:
            table[key] = value
    return table | {"hours": row.hours}


def _policy_table(row: SlaPolicy) -> dict[str, Any]:
    table: dict[str, Any] = {"calendar": row.calendar.name}
    if row.is_default:
        table["default"] = True
    for key, entry in (("service", row.service), ("category", row.category)):
        if entry is not None:
            table[key] = entry.name
    table |= {"pause_on": row.pause_on, "warn_at": row.warn_at}
    if row.escalate_on != "never":  # unset is "never": older files stay as they were
        table["escalate_on"] = row.escalate_on
    return table | {"targets": row.targets}


def _policy_fields(table: Mapping[str, Any], where: str) -> store.PolicyFields:
    """A policy's table as the store takes it: names of services and categories looked up."""
    fields_of(table, where, POLICY_KEYS)
    calendar = table.get("calendar")
    if not isinstance(calendar, str):
        raise InvalidInput(f"{where}.calendar: missing, or not a calendar's name")
    default = table.get("default", False)
    if not isinstance(default, bool):
        raise InvalidInput(f"{where}.default: {default!r} is neither true nor false")
    escalate_on = table.get("escalate_on", "never")
    if escalate_on not in ESCALATE_ON:
        choices = ", ".join(f'"{value}"' for value in ESCALATE_ON)
        raise InvalidInput(f"{where}.escalate_on: {escalate_on!r} is not one of {choices}")
    return store.PolicyFields(
        calendar=calendar,
        targets=table.get("targets", {}),
        pause_on=table.get("pause_on", list(DEFAULT_PAUSE_ON)),
        warn_at=table.get("warn_at", DEFAULT_WARN_AT),
        service_id=_entry_id(Service, table, "service", where),
        category_id=_entry_id(Category, table, "category", where),
        is_default=default,
        escalate_on=escalate_on,
    )


def _entry_id(
    model: type[CatalogueEntry], table: Mapping[str, Any], key: str, where: str
) -> int | None:
    """The id of the service (or category) a policy names, None when it names none."""
    if key not in table:
        return None
    name = table[key]
    found = (
        db.session.scalars(select(model.id).where(model.name == name)).first()
        if isinstance(name, str)
        else None
    )
    if found is None:
        raise InvalidInput(f"{where}.{key}: there is no {key} called {name!r}")
    return found


def _tables(document: Mapping[str, Any], section: str) -> dict[str, Mapping[str, Any]]:
    """A section's tables by name; each must be a table."""
    tables = fields_of(document.get(section, {}), section)
    for name, table in tables.items():
        fields_of(table, f"{section}.{_key(name)}")
    return dict(tables)


@contextmanager
def _keys_named() -> Iterator[None]:
    """The shape checks of helpdesk.sla.spec (which name the key at fault) as InvalidInput."""
    try:
        yield
    except PolicySpecError as error:
        raise InvalidInput(str(error)) from error


def _key(name: str) -> str:
    """A table name as TOML writes it in a dotted key: quoted unless it is a bare key."""
    return tomli_w.dumps({name: 0}).partition(" = ")[0]
