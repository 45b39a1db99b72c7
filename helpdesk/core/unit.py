"""Units of work: every public service function commits once at its end, or leaves nothing.

Units nest: a service function called inside another (open_follow_up opening an incident,
the mail gateway applying one email through several calls) joins the outer unit, so the
whole change commits once, atomically, when the outermost unit commits. When the
outermost unit raises, everything it staged is rolled back, so a refused change never
lingers in the session for the next commit.

`transaction()` groups many units into one commit (the mail gateway takes a whole IMAP
batch in one transaction: one fsync instead of one per email); a part that may fail on
its own runs in `db.session.begin_nested()`, a SAVEPOINT, so it rolls back alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g

from helpdesk.core import events
from helpdesk.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def _depth() -> int:
    """How many units of work are running in this app context."""
    return g.get("unit_of_work_depth", 0)


@contextmanager
def _unit() -> Iterator[bool]:
    """Count the block as one more unit; yield whether it is the outermost, which alone
    rolls back when the block raises."""
    outer = _depth()
    g.unit_of_work_depth = outer + 1
    try:
        yield outer == 0
    except BaseException:
        if outer == 0:
            db.session.rollback()
        raise
    finally:
        g.unit_of_work_depth = outer


def unit_of_work(function: Callable[P, R]) -> Callable[P, R]:
    """Wrap a service function as a unit (or part of the running one), see the module doc."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _unit():
            return function(*args, **kwargs)

    return wrapper


def commit() -> None:
    """End the unit: commit and run the after-commit hooks, or only flush inside an outer
    unit."""
    if _depth() > 1:
        db.session.flush()
        return
    db.session.commit()
    events.committed()


@contextmanager
def transaction() -> Iterator[None]:
    """Run the block as one unit: the units inside join it and it commits once at its end
    (or, inside an outer unit, joins that one); an exception rolls all of it back."""
    if _depth() == 0:
        _begin_for_savepoints()
    with _unit() as outermost:
        yield
        if outermost:
            db.session.commit()
    if outermost:
        events.committed()


def _begin_for_savepoints() -> None:
    """Open the database transaction now when the driver would open it late.

    pysqlite (Python < 3.12) sends BEGIN only before the first write, so a SAVEPOINT taken
    earlier would start the transaction itself and its RELEASE would commit it: begin
    explicitly, taking SQLite's write lock up front (a write is coming anyway).
    """
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not getattr(raw, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
