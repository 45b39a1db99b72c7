"""The facts follow whatever changed an incident, in the same transaction: a change that
rolls back leaves the facts as they were, and nothing outside the app's session counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from helpdesk import cli, incidents
from helpdesk.core.unit import transaction
from helpdesk.extensions import db
from helpdesk.models import KPI_COUNTS, Incident, IncidentFacts, KpiDay, User
from helpdesk.reads.kpis import kpis
from helpdesk.reads.report_scope import ReportFilter, reporting_range, zone_pending
from helpdesk.reads.report_series import series
from helpdesk.reports import keeper
from helpdesk.reports import summary_rows as summary
from tests.conftest import ManualClock, reconfigure
from tests.factories import gen_incident, gen_user
from tests.reports import known_history as known


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


def summary_rows() -> set[tuple[object, ...]]:
    """The daily summary's rows that hold anything, as plain tuples."""
    rows = db.session.scalars(db.select(KpiDay)).all()
    columns = ["day", "team_id", "category_id", "service_id", "priority", "channel", *KPI_COUNTS]
    return {
        tuple(getattr(row, name) for name in columns)
        for row in rows
        if any(getattr(row, name) for name in KPI_COUNTS)
    }


def test_the_summary_kept_change_by_change_equals_one_counted_afresh(
    app: Flask, clock: ManualClock, tmp_path: Path
) -> None:
    known.imported(app, clock, tmp_path)
    agent = db.session.scalar(db.select(User).where(User.email == "ann@example.org"))
    for incident in db.session.scalars(db.select(Incident).order_by(Incident.id)).all()[:4]:
        clock.advance(hours=3)
        if incident.status in ("new", "assigned"):
            incidents.resolve(incident, agent, "fixed", "Done at last.")
        elif incident.status == "resolved":
            incidents.reject_resolution(incident, incident.requester, "Not quite.")
    kept = summary_rows()
    with transaction():
        summary.recount()
    assert summary_rows() == kept


def test_a_new_reporting_zone_counts_after_a_rebuild(
    app: Flask, clock: ManualClock, tmp_path: Path
) -> None:
    known.imported(app, clock, tmp_path)
    reconfigure(app, REPORTS_TIME_ZONE="Asia/Tokyo")
    assert zone_pending() == "Asia/Tokyo"
    assert reporting_range(known.FIRST, known.LAST).zone == "UTC"
    keeper.rebuild(missing_only=True)
    assert zone_pending() is None
    tokyo = reporting_range(known.FIRST, known.LAST)
    assert tokyo.zone == "Asia/Tokyo"
    # The fortnight now runs from 11-01 15:00 to 11-15 15:00 UTC: the same six resolutions,
    # and Monday 11-02 in Tokyo holds I8's (10:00 UTC) and I2's (12:00 UTC).
    assert kpis(tokyo, ReportFilter())["resolved"] == known.EXPECTED["resolved"]
    days = {row["period"]: row["resolved"] for row in series(tokyo, ReportFilter())}
    assert days["2026-11-02"] == 2


def test_the_rebuild_command_derives_every_incident_again(app: Flask) -> None:
    first, second = gen_incident(), gen_incident()
    db.session.execute(db.delete(IncidentFacts).where(IncidentFacts.incident_id == second.id))
    db.session.commit()
    runner = app.test_cli_runner()
    missing = runner.invoke(cli.main, ["reports", "rebuild", "--missing"])
    assert missing.exit_code == 0 and "measures of 1 incident." in missing.output
    every = runner.invoke(cli.main, ["reports", "rebuild"])
    assert every.exit_code == 0 and "measures of 2 incidents." in every.output
    assert facts_of(first.id) is not None and facts_of(second.id) is not None
