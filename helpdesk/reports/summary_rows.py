"""The daily summary's rows (kpi_days): adding an incident's change to them, and counting
them again from every incident's facts, in the zone the summary counts days in."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.models import KPI_COUNTS, KpiDay, ReportState
from helpdesk.models.report import IncidentFacts, IncidentOpenSpan
from helpdesk.reads.report_scope import SUMMARY_STATE
from helpdesk.reports.facts import FACT_NAMES, Span
from helpdesk.reports.summary import Contributions, contributions, with_levels

KEY_COLUMNS = ("day", "team_id", "category_id", "service_id", "priority", "channel", "agent_id")

RECOUNT_BATCH = 5000


def summary_zone() -> ZoneInfo:
    """The zone the summary counts days in: stored the first time it is needed (the
    reporting zone of the day), by an insert that two first transactions may race."""
    state = db.session.get(ReportState, SUMMARY_STATE)
    if state is None:
        db.session.execute(
            _insert()(ReportState)
            .values(id=SUMMARY_STATE, zone=settings().reports_time_zone)
            .on_conflict_do_nothing()
        )
        state = db.session.get(ReportState, SUMMARY_STATE)
    return ZoneInfo(state.zone if state is not None else settings().reports_time_zone)


def _insert() -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    return sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else postgresql_insert


def add(changes: Contributions) -> None:
    """Add the changes of incidents' rows to them and to the rows that sum over dimensions
    (summary.with_levels), creating the rows that are missing, in one statement sent once
    per row (executemany); in key order, so two transactions adding to the same rows take
    their locks in the same order."""
    changes = with_levels(changes)
    if not changes:
        return
    rows = [
        dict(zip(KEY_COLUMNS, key, strict=True))
        | {name: changes[key].get(name, 0) for name in KPI_COUNTS}
        for key in sorted(changes)
    ]
    connection = db.session.connection()  # Core: the ORM adds nothing to a table's rows
    connection.execute(_upsert(connection.dialect.name), rows)


@cache
def _upsert(dialect: str) -> Any:
    """INSERT a summary row, or add its counts to the one already there (one statement per
    dialect, so it is compiled once)."""
    table: Any = KpiDay.__table__
    statement = (sqlite_insert if dialect == "sqlite" else postgresql_insert)(table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={name: table.c[name] + statement.excluded[name] for name in KPI_COUNTS},
    )


def recount() -> int:
    """Count the summary again from every incident's facts, in the reporting zone now
    configured (after a change of REPORTS_TIME_ZONE, or to check it); callers commit.
    Returns how many rows it holds."""
    state = db.session.get(ReportState, SUMMARY_STATE)
    zone_name = settings().reports_time_zone
    if state is None:
        db.session.add(ReportState(id=SUMMARY_STATE, zone=zone_name))
    else:
        state.zone = zone_name
    zone = ZoneInfo(zone_name)
    db.session.execute(delete(KpiDay))
    totals: Contributions = {}
    for facts, spans in _every_incident():
        for key, amounts in contributions(facts, spans, zone).items():
            totals.setdefault(key, amounts.__class__()).update(amounts)
    add(totals)
    return len(totals)


def _every_incident() -> Iterator[tuple[dict[str, Any], list[Span]]]:
    """Every incident's facts and open spans, streamed in id order."""
    columns = [getattr(IncidentFacts, name) for name in ("incident_id", *FACT_NAMES)]
    spans = db.session.execute(
        select(IncidentOpenSpan.incident_id, IncidentOpenSpan.started_at, IncidentOpenSpan.ended_at)
        .order_by(IncidentOpenSpan.incident_id, IncidentOpenSpan.started_at)
        .execution_options(yield_per=RECOUNT_BATCH)
    )
    pending = next(spans, None)
    rows = db.session.execute(
        select(*columns)
        .order_by(IncidentFacts.incident_id)
        .execution_options(yield_per=RECOUNT_BATCH)
    )
    for row in rows:
        incident_id, *values = row
        own: list[Span] = []
        while pending is not None and pending[0] <= incident_id:
            if pending[0] == incident_id:
                own.append((pending[1], pending[2]))
            pending = next(spans, None)
        yield dict(zip(FACT_NAMES, values, strict=True)), own
