"""Reviews for other test modules (the API's authorization table and contract run)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Incident, PostIncidentReview, ReviewAction, utcnow


def gen_review(incident: Incident, with_action: bool = False) -> PostIncidentReview:
    """A draft review of the incident (as the reviews service creates one), with an open
    action item if asked."""
    now = utcnow()
    review = PostIncidentReview(incident=incident, status="draft", created_at=now, updated_at=now)
    if with_action:
        review.actions.append(ReviewAction(title="Alert on expiry", status="open", created_at=now))
    db.session.add(review)
    db.session.commit()
    return review


def first_review_id() -> int:
    """The id of the oldest review (the contract run's seeded one)."""
    return db.session.scalar(select(PostIncidentReview.id).order_by(PostIncidentReview.id)) or 0
