"""Writing a review: the blameless texts, the facilitator and the status moves.

A review moves draft -> in_review -> completed (and back from in_review to draft for more
work); it is completed only with a root cause written down. A completed review is the
record as agreed: its texts no longer change, though its action items carry on.
"""

from __future__ import annotations

from collections.abc import Mapping

from helpdesk.core import audit
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.models import PostIncidentReview, User, utcnow
from helpdesk.models.audit import REVIEW

DRAFT, IN_REVIEW, COMPLETED = "draft", "in_review", "completed"
# Where a review may move from each status.
MOVES = {DRAFT: (IN_REVIEW,), IN_REVIEW: (DRAFT, COMPLETED), COMPLETED: ()}
STATUS_LABELS = {DRAFT: "Draft", IN_REVIEW: "In review", COMPLETED: "Completed"}
# The texts people write, by field, as the messages name them.
TEXT_FIELDS = {
    "summary": "The summary",
    "root_cause": "The root cause",
    "went_well": "What went well",
    "to_improve": "What to improve",
}


@unit_of_work
def edit(
    review: PostIncidentReview,
    actor: User,
    texts: Mapping[str, str | None],
    facilitator_id: int | None = None,
) -> None:
    """Replace the texts given (by field name) and, if given, the facilitator (an agent)."""
    check.require_agent(actor)
    if review.status == COMPLETED:
        raise InvalidInput("The review is completed; its texts stay as they were agreed.")
    changed = []
    for name, value in texts.items():
        if name not in TEXT_FIELDS:
            raise InvalidInput(f"A review has no field {name!r}.")
        text = check.optional_text(value, TEXT_FIELDS[name]) or ""
        if text != getattr(review, name):
            setattr(review, name, text)
            changed.append(name)
    if facilitator_id is not None and facilitator_id != review.facilitator_id:
        review.facilitator = agent_named(facilitator_id, "facilitator")
        changed.append("facilitator")
    if changed:
        record_change(review, actor, "edited", fields=changed)
    commit()


def agent_named(user_id: int, role: str) -> User:
    """The active agent with this id, or a refusal naming the role they were to have."""
    person = check.existing(User, user_id, role)
    assert person is not None  # existing() returns a row for an id
    if not (person.active and person.is_agent):
        raise InvalidInput(f"The {role} must be an active agent.")
    return person


@unit_of_work
def move(review: PostIncidentReview, actor: User, target: str) -> None:
    """Move the review to `target` if its status allows; completing needs a root cause."""
    check.require_agent(actor)
    if target not in MOVES.get(review.status, ()):
        raise InvalidInput(
            f"A review that is {STATUS_LABELS[review.status].lower()} cannot move to "
            f"{STATUS_LABELS.get(target, target).lower()}."
        )
    if target == COMPLETED and not review.root_cause.strip():
        raise InvalidInput("Write down the root cause before completing the review.")
    previous = review.status
    review.status = target
    review.completed_at = utcnow() if target == COMPLETED else None
    record_change(review, actor, "status_changed", **{"from": previous, "to": target})
    commit()


def record_change(
    review: PostIncidentReview, actor: User | None, action: str, **details: object
) -> None:
    """Record a change to the review and mark it as just updated."""
    event = audit.record(REVIEW, review.id, actor, action, **details)
    review.updated_at = event.created_at
