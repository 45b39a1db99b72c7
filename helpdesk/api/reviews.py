"""Post-incident reviews through the API, for agents (as in the console): list them by
state, read one with its impact and action items, its timeline and its Markdown, change
its texts and status, add and change action items. Every change goes through
helpdesk.reviews, which refuses with the console's sentences."""

from __future__ import annotations

from datetime import date

from flask import Response as FlaskResponse
from flask import make_response, url_for
from spectree import Response

from helpdesk import accounts
from helpdesk.api.auth import agents_only, caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.review_schemas import (
    ActionChange,
    ActionIn,
    ActionOut,
    BreachOut,
    EntryOut,
    ImpactOut,
    ReviewChange,
    ReviewOut,
    ReviewQuery,
    Reviews,
    ReviewSummary,
    Timeline,
)
from helpdesk.api.schemas import sent
from helpdesk.core.errors import InvalidInput, NotFound
from helpdesk.core.unit import transaction
from helpdesk.models import PostIncidentReview, ReviewAction, User, utcnow
from helpdesk.reads import reviews
from helpdesk.reads.review_impact import impact
from helpdesk.reads.review_markdown import as_markdown
from helpdesk.reads.review_timeline import timeline
from helpdesk.reviews import action_items, editing
from helpdesk.reviews.action_items import ActionItem

TAGS = ["post-incident reviews"]
AGENTS_WORK = "work on post-incident reviews"
ON_REVIEW = {"HTTP_404": Problem, **REFUSALS}
WITH_BODY = {"HTTP_415": Problem, "HTTP_422": Problem, **ON_REVIEW}


def _review(review_id: int) -> PostIncidentReview:
    """The review a URL names, for an agent; else 403 (not an agent) or 404."""
    agents_only(AGENTS_WORK)
    found = reviews.review_by_id(review_id)
    if found is None:
        raise NotFound(f"There is no review {review_id}.")
    return found


def _agent(email: str, role: str) -> int:
    """The id of the agent with this address, or a refusal naming the role."""
    person = accounts.find_by_email(email)
    if person is None or not person.is_agent:
        raise InvalidInput(f"The {role} must be an agent; no agent has the address {email[:80]!r}.")
    return person.id


def _email(person: User | None) -> str | None:
    """A person as the API names them."""
    return person.email if person else None


def action_out(action: ReviewAction, today: date) -> ActionOut:
    """An action item as the API sends it."""
    return ActionOut(
        id=action.id,
        title=action.title,
        owner=_email(action.owner),
        due_on=action.due_on,
        status=action.status,
        overdue=action.status == "open" and action.due_on is not None and action.due_on < today,
        problem=action.problem.reference if action.problem else None,
        change=action.change.reference if action.change else None,
    )


def summary_out(review: PostIncidentReview, today: date) -> ReviewSummary:
    """A review as the list sends it."""
    actions = [action_out(action, today) for action in review.actions]
    return ReviewSummary(
        id=review.id,
        incident=review.incident.reference or "",
        subject=review.incident.subject,
        status=review.status,
        facilitator=_email(review.facilitator),
        open_actions=sum(action.status == "open" for action in actions),
        overdue_actions=sum(action.overdue for action in actions),
        created_at=review.created_at,
        updated_at=review.updated_at,
        completed_at=review.completed_at,
    )


def impact_out(review: PostIncidentReview) -> ImpactOut:
    """The reviewed incident's impact as the API sends it."""
    found = impact(review.incident)
    return ImpactOut(
        opened_at=found.opened_at,
        resolved_at=found.resolved_at,
        duration_minutes=int(found.duration.total_seconds() // 60) if found.duration else None,
        people_affected=found.people_affected,
        services=found.services,
        sla_breaches=[
            BreachOut(incident=b.reference, target=b.target, at=b.at) for b in found.breaches
        ],
    )


def review_out(review: PostIncidentReview) -> ReviewOut:
    """A review with its texts, impact and action items."""
    today = utcnow().date()
    return ReviewOut(
        **summary_out(review, today).model_dump(),
        summary=review.summary,
        root_cause=review.root_cause,
        went_well=review.went_well,
        to_improve=review.to_improve,
        impact=impact_out(review),
        actions=[action_out(action, today) for action in review.actions],
    )


@bp.get("/reviews")
@requires("read")
@spec.validate(resp=Response(HTTP_200=Reviews, **REFUSALS), tags=TAGS)
def list_reviews(query: ReviewQuery) -> Reviews:
    """Every review, newest first (only those in `state`, if given)."""
    agents_only(AGENTS_WORK)
    today = utcnow().date()
    return Reviews(
        items=[summary_out(row.review, today) for row in reviews.listing(query.state, today)]
    )


@bp.get("/reviews/<int:review_id>")
@requires("read")
@spec.validate(resp=Response(HTTP_200=ReviewOut, **ON_REVIEW), tags=TAGS)
def read_review(review_id: int) -> ReviewOut:
    """One review with its texts, impact and action items."""
    return review_out(_review(review_id))


@bp.patch("/reviews/<int:review_id>")
@requires("write")
@spec.validate(resp=Response(HTTP_200=ReviewOut, **WITH_BODY), tags=TAGS)
def update_review(review_id: int, json: ReviewChange) -> ReviewOut:
    """Change a review's texts and facilitator, then move it to `status` if sent; all or
    nothing."""
    review = _review(review_id)
    change = sent(json)
    texts = change.model_dump(exclude_unset=True, include=set(editing.TEXT_FIELDS))
    with transaction():
        facilitator = _agent(change.facilitator, "facilitator") if change.facilitator else None
        if texts or facilitator is not None:
            editing.edit(review, caller(), texts, facilitator)
        if change.status is not None and change.status != review.status:
            editing.move(review, caller(), change.status)
    return review_out(review)


@bp.get("/reviews/<int:review_id>/timeline")
@requires("read")
@spec.validate(resp=Response(HTTP_200=Timeline, **ON_REVIEW), tags=TAGS)
def review_timeline(review_id: int) -> Timeline:
    """The review's timeline, oldest first: audit trail, children, alerts, public updates."""
    entries = timeline(_review(review_id).incident)
    return Timeline(items=[EntryOut(at=e.at, kind=e.kind, who=e.who, text=e.text) for e in entries])


@bp.get("/reviews/<int:review_id>/markdown")
@requires("read")
@spec.validate(resp=Response("HTTP_200", **ON_REVIEW), tags=TAGS)
def review_markdown(review_id: int) -> FlaskResponse:
    """The review as one Markdown document (text/markdown)."""
    review = _review(review_id)
    text = as_markdown(review, timeline(review.incident), impact(review.incident))
    response = make_response(text)
    response.mimetype = "text/markdown"
    return response


def _action(review: PostIncidentReview, action_id: int) -> ReviewAction:
    """The review's action item with this id, or 404."""
    found = next((action for action in review.actions if action.id == action_id), None)
    if found is None:
        raise NotFound(f"The review has no action item {action_id}.")
    return found


@bp.post("/reviews/<int:review_id>/actions")
@requires("write")
@idempotent
@spec.validate(
    headers=IdempotencyHeaders,
    resp=Response(HTTP_201=ActionOut, **WITH_BODY),
    tags=TAGS,
)
def add_review_action(review_id: int, json: ActionIn) -> tuple[ActionOut, int, dict[str, str]]:
    """Add an action item (open) with an owner (an agent's address) and a due date."""
    review = _review(review_id)
    item = sent(json)
    with transaction():
        owner = _agent(item.owner, "owner") if item.owner else None
        action = action_items.add(review, caller(), ActionItem(item.title, owner, item.due_on))
    location = url_for("api.read_review", review_id=review.id)
    return action_out(action, utcnow().date()), 201, {"Location": location}


@bp.patch("/reviews/<int:review_id>/actions/<int:action_id>")
@requires("write")
@spec.validate(resp=Response(HTTP_200=ActionOut, **WITH_BODY), tags=TAGS)
def update_review_action(review_id: int, action_id: int, json: ActionChange) -> ActionOut:
    """Change an action item's title, owner or due date, and its status; all or nothing."""
    action = _action(_review(review_id), action_id)
    change = sent(json)
    given = change.model_dump(exclude_unset=True)
    with transaction():
        if given.keys() & {"title", "owner", "due_on"}:
            owner = change.owner if "owner" in given else _email(action.owner)
            item = ActionItem(
                change.title if change.title is not None else action.title,
                _agent(owner, "owner") if owner else None,
                change.due_on if "due_on" in given else action.due_on,
            )
            action_items.edit(action, caller(), item)
        if change.status is not None:
            action_items.set_status(action, caller(), change.status)
    return action_out(action, utcnow().date())
