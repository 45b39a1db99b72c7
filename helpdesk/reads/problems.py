"""Reading problems: one by its reference, the incidents linked to one, and the console's
and the API's list, filtered by status and searched (the known-error list is this list
with status known_error).

The search is plain SQL on the problems' own text (title, description, root cause,
workaround): every word typed must appear in one of them, case aside. Problems are few
beside incidents (one stands for many), so they need no full-text index of their own.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, func, or_, select, true

from helpdesk.extensions import db
from helpdesk.lifecycle import OPEN_STATUSES
from helpdesk.models import Incident, Problem
from helpdesk.references import PROBLEM_PREFIX, reference_in

MAX_WORDS = 12
SEARCHED = (Problem.title, Problem.description, Problem.root_cause, Problem.workaround)


def find_by_reference(text: str | None) -> Problem | None:
    """The problem a reference names in any spelling (prb-12, PRB-000012), or None."""
    reference = reference_in(PROBLEM_PREFIX, text)
    if reference is None:
        return None
    return db.session.scalar(select(Problem).where(Problem.reference == reference))


def linked_incidents(problem: Problem) -> list[Incident]:
    """The incidents linked to the problem, oldest first."""
    query = select(Incident).where(Incident.problem_id == problem.id).order_by(Incident.id)
    return list(db.session.scalars(query))


def open_incidents(problem: Problem) -> list[Incident]:
    """The problem's incidents that are still open (new, assigned, in progress, on hold)."""
    return [incident for incident in linked_incidents(problem) if incident.is_open]


def open_incident_counts(problems: list[Problem]) -> dict[int, int]:
    """How many open incidents each problem has, for a list."""
    if not problems:
        return {}
    rows = db.session.execute(
        select(Incident.problem_id, func.count(Incident.id))
        .where(
            Incident.problem_id.in_([p.id for p in problems]),
            Incident.status.in_(OPEN_STATUSES),
        )
        .group_by(Incident.problem_id)
    )
    return {problem_id: count for problem_id, count in rows if problem_id is not None}


def _escaped(word: str) -> str:
    """A word as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    plain = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{plain}%"


def matching(text: str | None) -> ColumnElement[bool]:
    """The condition that every word of `text` is in the title, description, root cause
    or workaround, case aside (true for no words)."""
    words = (text or "").split()[:MAX_WORDS]
    return and_(true(), *(_anywhere(word) for word in words))


def _anywhere(word: str) -> ColumnElement[bool]:
    """The condition that one word is in one of the searched columns, case aside."""
    pattern = _escaped(word.lower())
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in SEARCHED))


def listing(status: str | None, text: str | None, page: int, per_page: int) -> Pagination:
    """One page of problems, most recently changed first, by status and search words."""
    query = select(Problem).where(matching(text))
    if status:
        query = query.where(Problem.status == status)
    query = query.order_by(Problem.updated_at.desc(), Problem.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
