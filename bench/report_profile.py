"""Where bench/reports.py's time goes: every SQL statement a step sends, recorded with
the helpdesk.reads function that sent it, run again alone (fetching every row) to time it,
and the slow ones' plans as the database tells them.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from helpdesk.extensions import db

READS = "helpdesk/reads/"
VALUES_ROWS = re.compile(r"(\((?:\?|%\(\w+\)s), [^()]*\), ){2,}")  # a VALUES list's rows
SHOWN_PARAMETERS = 240


@dataclass
class Statement:
    """One SQL statement as sent, who sent it, and how long it takes to run and fetch."""

    step: str
    sender: str
    sql: str
    parameters: Any
    ms: float = 0.0


class Recorder:
    """Records every statement the engine runs while `step` is set."""

    def __init__(self) -> None:
        """Nothing recorded yet."""
        self.step: str | None = None
        self.statements: list[Statement] = []

    def before(self, _conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        """Keep the statement and who sends it."""
        if self.step is not None:
            self.statements.append(Statement(self.step, sender(), sql, parameters))


def sender() -> str:
    """The innermost helpdesk.reads function on the stack (module.function)."""
    for frame in reversed(traceback.extract_stack()):
        if READS in frame.filename:
            return f"{Path(frame.filename).stem}.{frame.name}"
    return "(other)"


@contextmanager
def recording(recorder: Recorder) -> Any:
    """Listen to the engine's statements for the duration."""
    event.listen(db.engine, "before_cursor_execute", recorder.before)
    try:
        yield recorder
    finally:
        event.remove(db.engine, "before_cursor_execute", recorder.before)


def replay(statement: Statement) -> None:
    """Time the statement again as sent, fetching every row (SQLite computes most of a
    result while it is fetched, after the cursor's execute returned)."""
    connection = db.session.connection()
    started = time.perf_counter()
    result = connection.exec_driver_sql(statement.sql, statement.parameters)
    if result.returns_rows:  # not a SET
        result.all()
    statement.ms = (time.perf_counter() - started) * 1000
    db.session.rollback()


def where_time_goes(
    steps: dict[str, Callable[[], object]], medians: dict[str, float], slow_ms: float
) -> None:
    """Run each step once, recorded; print each sender's time in SQL (and the step's time
    outside SQL: compiling statements, building results), then the slow statements' plans."""
    recorder = Recorder()
    with recording(recorder):
        for label, step in steps.items():
            recorder.step = label
            step()
            db.session.rollback()
        recorder.step = None
    for statement in recorder.statements:
        replay(statement)
    print(f"\n{'step / sending function':<58} {'stmts':>6} {'SQL ms':>9}")
    for label in steps:
        totals: dict[str, list[float]] = {}
        for statement in recorder.statements:
            if statement.step == label:
                totals.setdefault(statement.sender, []).append(statement.ms)
        in_sql = sum(sum(times) for times in totals.values())
        print(f"{label}: {in_sql:.0f} ms in SQL, {medians[label] - in_sql:.0f} ms outside")
        for name, times in sorted(totals.items(), key=lambda item: -sum(item[1])):
            print(f"    {name:<54} {len(times):>6} {sum(times):>9.1f}")
    explain_slow(recorder.statements, slow_ms)


def explain_slow(statements: list[Statement], slow_ms: float) -> None:
    """Print the plan of each distinct slow statement (slowest first)."""
    seen: set[str] = set()
    slow = sorted((s for s in statements if s.ms >= slow_ms), key=lambda s: -s.ms)
    print(f"\n{len(slow)} statements took {slow_ms:.0f} ms or more")
    for statement in slow:
        if statement.sql in seen:
            continue
        seen.add(statement.sql)
        print(f"\n--- {statement.ms:.1f} ms, {statement.sender} ({statement.step})")
        print(VALUES_ROWS.sub(r"(?, ?, ?), ... ", " ".join(statement.sql.split())))
        print(f"    parameters: {str(statement.parameters)[:SHOWN_PARAMETERS]}")
        for line in plan(statement):
            print(f"    {line}")


def plan(statement: Statement) -> list[str]:
    """The statement's plan as the database tells it."""
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement.sql, statement.parameters
        ).all()
        depth = {0: 0}
        lines = []
        for ident, parent, _unused, detail in rows:
            depth[ident] = depth.get(parent, 0) + 1
            lines.append("  " * depth[ident] + detail)
        db.session.rollback()
        return lines
    rows = connection.exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.parameters
    ).all()
    db.session.rollback()
    return [row[0] for row in rows]
