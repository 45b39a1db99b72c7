"""Changing stored SLA calendars and policies: the parsers' messages, the rules, the audit."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk.core.errors import InvalidInput, NotAllowed
from helpdesk.extensions import db
from helpdesk.models import AuditEvent, SlaCalendar, SlaPolicy
from helpdesk.sla.simulate import SimulationError, simulate
from helpdesk.sla_policies import store
from tests.factories import gen_category, gen_service, gen_user
from tests.sla.conftest import OFFICE_HOURS, TARGETS, fields


def events(subject_type: str, subject_id: int) -> list[tuple[str, dict[str, Any]]]:
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(subject_type, subject_id)).order_by(AuditEvent.id)
    )
    return [(row.action, row.details) for row in rows]


def test_a_calendar_is_stored_as_written_and_audited(app: Flask) -> None:
    spec = {
        "timezone": "Europe/Berlin",
        "hours": {"tue": ["09:00-17:00"], "mon": ["13:00-17:00", "09:00-12:00"]},
        "holidays": ["2026-12-26", "2026-12-25"],
        "country": "DE",
        "subdivision": "BY",
    }
    created = store.create_calendar(None, "  Berlin   office ", spec)
    assert (created.name, created.timezone, created.country, created.subdivision) == (
        "Berlin office",
        "Europe/Berlin",
        "DE",
        "BY",
    )
    assert list(created.hours.items()) == [
        ("mon", ["13:00-17:00", "09:00-12:00"]),
        ("tue", ["09:00-17:00"]),
    ]
    assert created.holidays == ["2026-12-25", "2026-12-26"]
    [(action, details)] = events(store.CALENDAR, created.id)
    assert action == "created"
    assert details["name"] == "Berlin office"


def test_a_bad_calendar_is_refused_naming_the_field(app: Flask) -> None:
    spec = OFFICE_HOURS | {"hours": {"mon": ["9-17"]}}
    with pytest.raises(InvalidInput, match=r"^Calendar Office hours: hours.mon\[0\]: '9-17' is"):
        store.create_calendar(None, "Office hours", spec)
    assert db.session.scalars(select(SlaCalendar)).all() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("targets.P3.response", "4 hours"),
        ("targets.P3.clock", "weekly"),
        ("warn_at", 2),
        ("pause_on", "awaiting_user"),
    ],
)
def test_a_bad_policy_gets_the_simulators_message(
    standard: SlaPolicy, field: str, value: object
) -> None:
    """One parser: the store's refusal says what `helpdesk sla simulate` says."""
    targets = {key: dict(target) for key, target in TARGETS.items()}
    changes: dict[str, Any] = {"targets": targets}
    if field.startswith("targets."):
        _, priority, name = field.split(".")
        targets[priority][name] = value
    else:
        changes[field] = value
    spec = {"calendar": OFFICE_HOURS, "events": [], "now": "2026-12-04T12:00:00Z"} | changes
    with pytest.raises(SimulationError) as simulated:
        simulate(spec)
    with pytest.raises(InvalidInput) as stored:
        store.create_policy(None, "Broken", fields(service_id=gen_service().id, **changes))
    assert str(stored.value) == f"Policy Broken: {simulated.value}"


def test_a_stored_policy_needs_every_priority(standard: SlaPolicy) -> None:
    targets = {key: value for key, value in TARGETS.items() if key != "P2"}
    with pytest.raises(InvalidInput, match=r"^Policy Lean: targets\.P2: missing"):
        store.create_policy(None, "Lean", fields(targets=targets, service_id=gen_service().id))


def test_a_policy_needs_a_known_calendar(standard: SlaPolicy) -> None:
    with pytest.raises(InvalidInput, match="no calendar called 'Night shift'"):
        store.create_policy(None, "Nights", fields(calendar="Night shift", service_id=1))


def test_names_are_unique_regardless_of_case(standard: SlaPolicy) -> None:
    with pytest.raises(InvalidInput, match="already a policy called Standard"):
        store.create_policy(None, "standard", fields(service_id=gen_service().id))
    with pytest.raises(InvalidInput, match="already a calendar called Office hours"):
        store.create_calendar(None, "OFFICE HOURS", OFFICE_HOURS)


def test_the_scope_rules(standard: SlaPolicy) -> None:
    network, hardware = gen_service("Network"), gen_category("Hardware")
    with pytest.raises(InvalidInput, match="Standard is already the default policy"):
        store.create_policy(None, "Other", fields(is_default=True))
    with pytest.raises(InvalidInput, match="the default applies when no other policy does"):
        store.create_policy(None, "Other", fields(is_default=True, service_id=network.id))
    with pytest.raises(InvalidInput, match="name a service, a category or both"):
        store.create_policy(None, "Other", fields())
    store.create_policy(None, "Network", fields(service_id=network.id))
    store.create_policy(
        None, "Network hardware", fields(service_id=network.id, category_id=hardware.id)
    )
    with pytest.raises(InvalidInput, match="Network already applies to service Network"):
        store.create_policy(None, "Network again", fields(service_id=network.id))
    with pytest.raises(
        InvalidInput, match="Network hardware already applies to service Network and category"
    ):
        store.create_policy(None, "Again", fields(service_id=network.id, category_id=hardware.id))


def test_the_default_stays(standard: SlaPolicy) -> None:
    with pytest.raises(InvalidInput, match="Standard is the default policy and cannot be deleted"):
        store.delete_policy(None, standard.id)
    with pytest.raises(InvalidInput, match="Standard is the default policy, and there must be one"):
        store.update_policy(None, standard.id, "Standard", fields(service_id=gen_service().id))


def test_a_calendar_in_use_stays(standard: SlaPolicy) -> None:
    with pytest.raises(InvalidInput, match="used by the policy Standard; it stays"):
        store.delete_calendar(None, standard.calendar_id)
    spare = store.create_calendar(None, "Spare", OFFICE_HOURS)
    store.delete_calendar(None, spare.id)
    assert [row.name for row in store.calendars()] == ["Office hours"]
    assert events(store.CALENDAR, spare.id)[-1] == ("deleted", {"name": "Spare"})


def test_an_update_audits_what_changed_and_only_that(standard: SlaPolicy) -> None:
    admin = gen_user("admin")
    store.update_policy(admin, standard.id, "Standard", fields(is_default=True))
    store.update_policy(admin, standard.id, "Standard", fields(is_default=True, warn_at=0.5))
    assert standard.warn_at == 0.5
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.about(store.POLICY, standard.id))
    ).all()
    assert [(row.action, row.actor) for row in audited] == [("created", None), ("updated", admin)]
    assert audited[1].details == {"name": "Standard", "changes": {"warn_at": [0.75, 0.5]}}


def test_a_policy_is_deleted_and_audited(standard: SlaPolicy) -> None:
    network = store.create_policy(None, "Network", fields(service_id=gen_service().id))
    store.delete_policy(None, network.id)
    assert [row.name for row in store.policies()] == ["Standard"]
    assert events(store.POLICY, network.id)[-1] == ("deleted", {"name": "Network"})


def test_only_admins_change_policies(standard: SlaPolicy) -> None:
    with pytest.raises(NotAllowed):
        store.create_calendar(gen_user("agent"), "Nights", OFFICE_HOURS)


def test_the_database_holds_one_policy_per_scope_and_one_default(db_app: Flask) -> None:
    """Where the service is bypassed, the scope index (NULL counted as 0) and the check that
    the default names no service or category still refuse."""
    calendar = SlaCalendar(name="Office hours", timezone="UTC", hours={}, holidays=[])
    network = gen_service("Network")
    db.session.add(calendar)
    db.session.flush()

    def add(name: str, **scope: Any) -> None:
        row = SlaPolicy(
            name=name, calendar_id=calendar.id, targets=TARGETS, pause_on=[], warn_at=0.75, **scope
        )
        with db.session.begin_nested():
            db.session.add(row)

    add("Standard", is_default=True)
    add("Network", service_id=network.id)
    with pytest.raises(IntegrityError):
        add("Second default", is_default=True)
    with pytest.raises(IntegrityError):
        add("Network again", service_id=network.id)
    with pytest.raises(IntegrityError):
        add("Scoped default", category_id=gen_category().id, is_default=True)
    db.session.rollback()
