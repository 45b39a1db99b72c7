"""Units of work: every public service function commits once at its end, or leaves nothing.

Units nest: a service function called inside another (open_follow_up opening an incident,
the mail gateway applying one email through several calls) joins the outer unit, so the
whole change commits once, atomically, when the outermost unit commits. When the
outermost unit raises, everything it staged is rolled back, so a refused change never
lingers in the session for the next commit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g

from helpdesk.extensions import db
from helpdesk.notify.delivery import deliver_after_commit

P = ParamSpec("P")
R = TypeVar("R")


def _depth() -> int:
    """How many units of work are running in this app context."""
    return g.get("unit_of_work_depth", 0)


def unit_of_work(function: Callable[P, R]) -> Callable[P, R]:
    """Wrap a service function as a unit (or part of the running one), see the module doc."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = _depth()
        g.unit_of_work_depth = outer + 1
        try:
            return function(*args, **kwargs)
        except Exception:
            if outer == 0:
                db.session.rollback()
            raise
        finally:
            g.unit_of_work_depth = outer

    return wrapper


def commit() -> None:
    """End the unit: commit and deliver queued mail, or only flush inside an outer unit."""
    if _depth() > 1:
        db.session.flush()
        return
    db.session.commit()
    deliver_after_commit()
