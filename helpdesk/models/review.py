"""Post-incident reviews: blameless, one per major incident (and, by configuration, per P1
or P2 incident), created when the incident is resolved. The timeline and the impact are read
from the incident, its audit trail, its alerts and its public updates when shown; the review
holds what people write: root cause, what went well, what to improve, and action items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import Model
from helpdesk.models.base import utcnow
from helpdesk.models.change import Change
from helpdesk.models.incident import Incident
from helpdesk.models.problem import Problem
from helpdesk.models.user import User

# draft -> in_review -> completed
REVIEW_STATUSES = ("draft", "in_review", "completed")
ACTION_STATUSES = ("open", "done", "dropped")


class PostIncidentReview(Model):
    """The review of one incident."""

    __tablename__ = "post_incident_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Who runs the review (the major incident's declarer by default).
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    went_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship()
    facilitator: Mapped[User | None] = relationship()
    actions: Mapped[list[ReviewAction]] = relationship(
        back_populates="review", order_by="ReviewAction.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_post_incident_reviews_status", "status", "created_at", "id"),)


class ReviewAction(Model):
    """One action item from a review: an owner, a due date, a status; it may have become a
    problem or a change."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("post_incident_reviews.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="open")
    # The day the worker last reminded the owner of this overdue action (once a day).
    reminded_on: Mapped[date | None]
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id", ondelete="SET NULL"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    review: Mapped[PostIncidentReview] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()
    problem: Mapped[Problem | None] = relationship()
    change: Mapped[Change | None] = relationship()

    # The worker's overdue pass: open actions by due date.
    __table_args__ = (Index("ix_review_actions_status_due", "status", "due_on"),)
