"""Post-incident reviews as the console, the API and the services look them up: one by id
or by its incident, the list by state with each review's overdue action count, and the
open actions past their due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import MajorIncident, PostIncidentReview, ReviewAction

OPEN = "open"


@dataclass(frozen=True)
class Listed:
    """A review in the list, with how many of its open actions are past their due date."""

    review: PostIncidentReview
    overdue: int


def review_by_id(review_id: int) -> PostIncidentReview | None:
    """The review with this id, or None."""
    return db.session.get(PostIncidentReview, review_id)


def review_of(incident_id: int) -> PostIncidentReview | None:
    """The incident's review (there is at most one), or None."""
    return db.session.scalar(
        select(PostIncidentReview).where(PostIncidentReview.incident_id == incident_id)
    )


def major_of(incident_id: int) -> MajorIncident | None:
    """The major incident declared on this incident, or None."""
    return db.session.scalar(select(MajorIncident).where(MajorIncident.incident_id == incident_id))


def overdue_actions(today: date) -> Any:
    """The select of open actions due before `today` (the worker's reminders)."""
    return select(ReviewAction).where(ReviewAction.status == OPEN, ReviewAction.due_on < today)


def listing(status: str | None, today: date) -> list[Listed]:
    """Reviews newest first (only those in `status`, if given), with their overdue counts."""
    rows = select(PostIncidentReview).options(
        selectinload(PostIncidentReview.incident),
        selectinload(PostIncidentReview.facilitator),
        selectinload(PostIncidentReview.actions).options(
            selectinload(ReviewAction.owner),
            selectinload(ReviewAction.problem),
            selectinload(ReviewAction.change),
        ),
    )
    if status is not None:
        rows = rows.where(PostIncidentReview.status == status)
    reviews = db.session.scalars(
        rows.order_by(PostIncidentReview.created_at.desc(), PostIncidentReview.id.desc())
    ).all()
    counts = dict(
        db.session.execute(
            overdue_actions(today)
            .with_only_columns(ReviewAction.review_id, func.count())
            .group_by(ReviewAction.review_id)
        ).all()
    )
    return [Listed(review, counts.get(review.id, 0)) for review in reviews]


def overdue_total(today: date) -> int:
    """How many open actions of any review are past their due date."""
    return (
        db.session.scalar(overdue_actions(today).with_only_columns(func.count()).order_by(None))
        or 0
    )
