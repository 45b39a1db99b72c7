"""What the post-incident reviews' operations send and take (helpdesk.api.reviews)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.schemas import UtcTime
from helpdesk.core.validation import BODY_MAX
from helpdesk.reviews.action_items import TITLE_MAX

ReviewStatus = Literal["draft", "in_review", "completed"]
ActionStatus = Literal["open", "done", "dropped"]
EMAIL_MAX = 320


class ReviewQuery(BaseModel):
    """Which reviews to list."""

    model_config = ConfigDict(extra="forbid")

    state: ReviewStatus | None = Field(default=None, description="Only reviews in this state.")


class ActionOut(BaseModel):
    """One action item of a review."""

    id: int
    title: str
    owner: str | None = Field(description="The owner's email address; none: nobody yet.")
    due_on: date | None
    status: str = Field(description="open, done or dropped")
    overdue: bool = Field(description="Open and past its due date.")
    problem: str | None = Field(description="The problem it became (PRB-...), if any.")
    change: str | None = Field(description="The change it became (CHG-...), if any.")


class ReviewSummary(BaseModel):
    """A review as the list shows it."""

    id: int
    incident: str = Field(description="The reviewed incident's reference.")
    subject: str
    status: str = Field(description="draft, in_review or completed")
    facilitator: str | None = Field(description="The facilitator's email address.")
    open_actions: int
    overdue_actions: int
    created_at: UtcTime
    updated_at: UtcTime
    completed_at: UtcTime | None


class Reviews(BaseModel):
    """Reviews, newest first."""

    items: list[ReviewSummary]


class BreachOut(BaseModel):
    """An SLA target breached on the incident or one of its children."""

    incident: str
    target: str = Field(description="response or resolution")
    at: UtcTime


class ImpactOut(BaseModel):
    """What the incident cost."""

    opened_at: UtcTime
    resolved_at: UtcTime | None
    duration_minutes: int | None = Field(description="Opened to resolved; none while open.")
    people_affected: int = Field(
        description="The requester, the children's requesters and the subscribers, each once."
    )
    services: list[str]
    sla_breaches: list[BreachOut]


class EntryOut(BaseModel):
    """One line of the timeline."""

    at: UtcTime
    kind: str = Field(description="audit, child, alert or public_update")
    who: str | None = Field(description="A person's name or an alert source; none: the helpdesk.")
    text: str


class Timeline(BaseModel):
    """The review's timeline, oldest first, built from the records when read."""

    items: list[EntryOut]


class ReviewOut(ReviewSummary):
    """A review with what people wrote, its impact and its action items."""

    summary: str
    root_cause: str
    went_well: str
    to_improve: str
    impact: ImpactOut
    actions: list[ActionOut]


class ReviewChange(BaseModel):
    """A change to a review: the texts sent replace those stored; `facilitator` (an
    agent's address) replaces the facilitator; `status` moves it after the texts are saved
    (draft -> in_review -> completed, or back to draft; completing needs a root cause)."""

    model_config = ConfigDict(extra="forbid")

    summary: str | None = Field(default=None, max_length=BODY_MAX)
    root_cause: str | None = Field(default=None, max_length=BODY_MAX)
    went_well: str | None = Field(default=None, max_length=BODY_MAX)
    to_improve: str | None = Field(default=None, max_length=BODY_MAX)
    facilitator: str | None = Field(default=None, max_length=EMAIL_MAX)
    status: ReviewStatus | None = None


class ActionIn(BaseModel):
    """A new action item."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    owner: str | None = Field(default=None, max_length=EMAIL_MAX, description="An agent's address.")
    due_on: date | None = None


class ActionChange(BaseModel):
    """A change to an action item: the fields sent replace those stored (`owner` or
    `due_on` null clears it); `status` marks it done, dropped or open again."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    owner: str | None = Field(default=None, max_length=EMAIL_MAX)
    due_on: date | None = None
    status: ActionStatus | None = None
