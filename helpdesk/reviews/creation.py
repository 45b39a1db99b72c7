"""A review is created when an incident that deserves one is resolved: every major
incident, and incidents of the priorities the settings list (`reviews_for_priorities`).

One per incident (the unique index): an incident reopened and resolved again keeps the
review it has. The facilitator is the major incident's declarer, or else the agent who
resolved it; a major incident's public summary starts the review's summary.
"""

from __future__ import annotations

from helpdesk.core import audit, events
from helpdesk.core.settings import settings
from helpdesk.extensions import db
from helpdesk.incidents.events import Resolved
from helpdesk.models import Incident, PostIncidentReview, User, utcnow
from helpdesk.models.audit import REVIEW
from helpdesk.reads.reviews import major_of, review_of


def subscribe_to_events() -> None:
    """Have resolutions create reviews (the composition root calls this)."""
    events.subscribe(Resolved, review_on_resolution)


def review_on_resolution(event: Resolved) -> None:
    """Create the incident's review if it deserves one and has none yet (in the unit of
    work that resolves it)."""
    create_for(event.incident, event.actor)


def create_for(incident: Incident, actor: User | None) -> PostIncidentReview | None:
    """The incident's new review, or None when it deserves none or already has one."""
    major = major_of(incident.id)
    if major is None and incident.priority not in settings().reviews.for_priorities:
        return None
    if review_of(incident.id) is not None:
        return None
    now = utcnow()
    review = PostIncidentReview(
        incident=incident,
        status="draft",
        facilitator=(major.declared_by if major else None) or actor,
        summary=major.public_summary if major else "",
        created_at=now,
        updated_at=now,
    )
    db.session.add(review)
    db.session.flush()  # the audit trail names it by id
    audit.record(
        REVIEW, review.id, actor, "created", incident=incident.reference, major=major is not None
    )
    return review
