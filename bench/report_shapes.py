"""Other shapes of bench/reports.py's slowest statements, timed beside the shape the reads
use now on the same database, each checked to give the same answer (--try-shapes).

- "slices": the daily summary kept per day and priority for everything and for each value
  of one dimension at a time (what a dashboard filters by one at a time), built here into
  a temporary table from kpi_days: a year is a few thousand rows whatever the volume,
  where kpi_days, keyed by all five dimensions at once, has about a row per incident.
- top categories and agents: grouped by id first, the names joined to the few groups.
- the backlog at an instant: the spans not ended by then found from their end (few),
  not from their start (every span in history).
"""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, bindparam, text

from helpdesk.extensions import db
from helpdesk.models.report import KPI_COUNTS

SUMS = ", ".join(f"sum({name}) AS {name}" for name in KPI_COUNTS)
DIMENSIONS = ("team_id", "category_id", "service_id", "channel")
SLICES = " UNION ALL ".join(
    [
        f"SELECT day, 'all' AS dimension, '' AS value, priority, {SUMS} FROM kpi_days "
        "GROUP BY day, priority"
    ]
    + [
        f"SELECT day, '{name}', CAST({name} AS VARCHAR(20)), priority, {SUMS} FROM kpi_days "
        f"GROUP BY day, {name}, priority"
        for name in DIMENSIONS
    ]
)
TOTALS = ", ".join(f"coalesce(sum({name}), 0)" for name in KPI_COUNTS)
TYPES: dict[str, Any] = {"first": Date(), "last": Date(), "start": DateTime(), "end": DateTime()}
IN_DAYS = "day >= :first AND day <= :last"
TOP_CATEGORIES = (
    "SELECT categories.name, sum(kpi_days.opened) AS n FROM kpi_days JOIN categories "
    f"ON categories.id = kpi_days.category_id WHERE {IN_DAYS} GROUP BY categories.name "
    "HAVING sum(kpi_days.opened) > 0 ORDER BY n DESC, categories.name LIMIT 10"
)
# (what, the shape the reads use now, another shape), each with the same parameters.
PAIRS = (
    (
        "year's totals, unfiltered",
        f"SELECT {TOTALS} FROM kpi_days WHERE {IN_DAYS}",
        f"SELECT {TOTALS} FROM bench_slices WHERE {IN_DAYS} AND dimension = 'all'",
    ),
    (
        "year's totals per priority",
        f"SELECT priority, {TOTALS} FROM kpi_days WHERE {IN_DAYS} GROUP BY priority "
        "ORDER BY priority",
        f"SELECT priority, {TOTALS} FROM bench_slices WHERE {IN_DAYS} AND dimension = 'all' "
        "GROUP BY priority ORDER BY priority",
    ),
    (
        "year's totals per day (series)",
        f"SELECT day, {TOTALS} FROM kpi_days WHERE {IN_DAYS} GROUP BY day ORDER BY day",
        f"SELECT day, {TOTALS} FROM bench_slices WHERE {IN_DAYS} AND dimension = 'all' "
        "GROUP BY day ORDER BY day",
    ),
    (
        "year's totals, team 1",
        f"SELECT {TOTALS} FROM kpi_days WHERE {IN_DAYS} AND team_id = 1",
        f"SELECT {TOTALS} FROM bench_slices WHERE {IN_DAYS} AND dimension = 'team_id' "
        "AND value = '1'",
    ),
    (
        "top categories",
        TOP_CATEGORIES,
        "SELECT categories.name, grouped.n FROM (SELECT category_id, sum(opened) AS n "
        f"FROM kpi_days WHERE {IN_DAYS} GROUP BY category_id) AS grouped JOIN categories "
        "ON categories.id = grouped.category_id WHERE grouped.n > 0 "
        "ORDER BY grouped.n DESC, categories.name LIMIT 10",
    ),
    (
        "top categories, from the slices",
        TOP_CATEGORIES,
        "SELECT categories.name, grouped.n FROM (SELECT value, sum(opened) AS n FROM "
        f"bench_slices WHERE {IN_DAYS} AND dimension = 'category_id' GROUP BY value) AS grouped"
        " JOIN categories ON CAST(categories.id AS VARCHAR(20)) = grouped.value "
        "WHERE grouped.n > 0 ORDER BY grouped.n DESC, categories.name LIMIT 10",
    ),
    (
        "resolved by agent",
        "SELECT users.email, count(*) AS n FROM incident_facts JOIN users ON users.id = "
        "incident_facts.agent_id WHERE resolved_at >= :start AND resolved_at < :end "
        "GROUP BY users.email ORDER BY n DESC, users.email",
        "SELECT users.email, grouped.n FROM (SELECT agent_id, count(*) AS n FROM "
        "incident_facts WHERE resolved_at >= :start AND resolved_at < :end GROUP BY agent_id)"
        " AS grouped JOIN users ON users.id = grouped.agent_id ORDER BY grouped.n DESC, "
        "users.email",
    ),
    (
        "spans open at the end (ages, per_agent)",
        "SELECT count(*) FROM incident_open_spans WHERE started_at < :end "
        "AND (ended_at IS NULL OR ended_at >= :end)",
        "SELECT (SELECT count(*) FROM incident_open_spans WHERE ended_at IS NULL "
        "AND started_at < :end) + (SELECT count(*) FROM incident_open_spans "
        "WHERE ended_at >= :end AND started_at < :end)",
    ),
)


def try_shapes(first: date, last: date, start: datetime, end: datetime, runs: int) -> None:
    """Build the slices, then time each pair (median of `runs` after a warm-up)."""
    began = time.perf_counter()
    db.session.execute(text("DROP TABLE IF EXISTS bench_slices"))
    db.session.execute(text(f"CREATE TABLE bench_slices AS {SLICES}"))
    db.session.execute(
        text("CREATE INDEX bench_slices_key ON bench_slices (dimension, value, day)")
    )
    db.session.commit()
    rows = db.session.execute(text("SELECT count(*) FROM bench_slices")).scalar()
    kpi_days = db.session.execute(text("SELECT count(*) FROM kpi_days")).scalar()
    took = time.perf_counter() - began
    print(f"\nslices: {rows:,} rows (kpi_days: {kpi_days:,}), made in {took:.0f} s")
    parameters = {"first": first, "last": last, "start": start, "end": end}
    print(f"{'statement':<44} {'now ms':>9} {'other ms':>9}  same answer")
    for label, now, other in PAIRS:
        ours, theirs = (_timed(sql, parameters, runs) for sql in (now, other))
        same = _rounded(ours[1]) == _rounded(theirs[1])
        print(f"{label:<44} {ours[0]:>9.1f} {theirs[0]:>9.1f}  {same}", flush=True)
    db.session.execute(text("DROP TABLE bench_slices"))
    db.session.commit()


def _timed(sql: str, parameters: dict[str, Any], runs: int) -> tuple[float, list[Any]]:
    """Median milliseconds of running the statement and fetching its rows, and the rows."""
    statement = text(sql).bindparams(
        *(
            bindparam(name, value, TYPES[name])
            for name, value in parameters.items()
            if f":{name}" in sql
        )
    )
    rows = db.session.execute(statement).all()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = db.session.execute(statement).all()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], list(rows)


def _rounded(rows: list[Any]) -> list[tuple[Any, ...]]:
    """Rows comparable across shapes (sums may come back as int or Decimal)."""
    return [
        tuple(int(value) if isinstance(value, int | Decimal) else value for value in row)
        for row in rows
    ]
