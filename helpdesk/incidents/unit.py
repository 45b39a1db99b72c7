"""Units of work: every public service function commits once at its end, or leaves nothing.

`unit_of_work` rolls the session back when a service call raises, so a refused change
(a DomainError half-way through) never lingers in the session for the next commit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from helpdesk.extensions import db
from helpdesk.notify.delivery import deliver_after_commit

P = ParamSpec("P")
R = TypeVar("R")


def unit_of_work(function: Callable[P, R]) -> Callable[P, R]:
    """Wrap a service function: on any exception, roll back what it staged and re-raise."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def commit() -> None:
    """Commit the unit of work, then hand queued mail to the embedded transport."""
    db.session.commit()
    deliver_after_commit()
