"""The facts follow whatever changed an incident, in the same transaction: a change that
rolls back leaves the facts as they were, and nothing outside the app's session counts."""

from __future__ import annotations

import pytest
from flask import Flask

from helpdesk import incidents
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import Incident, IncidentFacts
from helpdesk.reports import keeper
from tests.conftest import ManualClock
from tests.factories import gen_incident, gen_user


def facts_of(incident_id: int) -> IncidentFacts | None:
    """The stored facts, read afresh."""
    db.session.expire_all()
    return db.session.get(IncidentFacts, incident_id)


def test_a_change_that_rolls_back_leaves_the_facts_as_they_were(
    app: Flask, clock: ManualClock
) -> None:
    agent = gen_user("agent")
    incident = gen_incident()
    with pytest.raises(RuntimeError), transaction():
        clock.advance(hours=1)
        incidents.resolve(incident, agent, "fixed", "Done.")
        raise RuntimeError("the rest of the batch failed")
    row = facts_of(incident.id)
    assert row is not None and row.resolved_at is None
    assert db.session.info.get(keeper.PENDING) is None


def test_an_incident_opened_in_a_rolled_back_savepoint_gets_no_facts(app: Flask) -> None:
    requester = gen_user()
    with transaction():
        savepoint = db.session.begin_nested()
        gen_incident(requester, subject="Lost")
        savepoint.rollback()
        kept = gen_incident(requester, subject="Kept")
    facts = db.session.scalars(db.select(IncidentFacts)).all()
    assert [row.incident_id for row in facts] == [kept.id]
    assert db.session.scalar(db.select(db.func.count()).select_from(Incident)) == 1


def test_a_merge_resolves_the_duplicate_in_its_facts(app: Flask, clock: ManualClock) -> None:
    agent = gen_user("agent")
    target, duplicate = gen_incident(), gen_incident()
    clock.advance(minutes=5)
    incidents.merge(duplicate, agent, target)
    row = facts_of(duplicate.id)
    assert row is not None and row.resolved_at == clock.now
    assert row.mttr_seconds == 300


def test_a_rating_is_in_the_facts(app: Flask, clock: ManualClock) -> None:
    agent = gen_user("agent")
    incident = gen_incident()
    incidents.resolve(incident, agent, "fixed", "Done.")
    incidents.confirm_resolution(incident, incident.requester)
    incidents.rate(incident, incident.requester, 3)
    row = facts_of(incident.id)
    assert row is not None and row.rating == 3 and row.closed_at == clock.now
