"""Moving an incident through its lifecycle: agents' status changes, resolution, cancellation,
the requester's withdrawal, and their confirmation, rejection and rating of a resolution."""

from __future__ import annotations

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.audit import record
from helpdesk.incidents.events import (
    Closed,
    PublicReplyAdded,
    Resolved,
    StatusChanged,
    Withdrawn,
)
from helpdesk.incidents.guard import ensure
from helpdesk.incidents.status import move_to
from helpdesk.lifecycle import REJECTED_RESOLUTION, REQUESTER_ONLY_CODES, RESOLUTION_CODES
from helpdesk.models import REPLY, Incident, Message, User, utcnow
from helpdesk.permissions import Action

WITHDRAWN = "Withdrawn by the requester"
WITHDRAW_REASON_MAX = 2000


@unit_of_work
def change_status(
    incident: Incident, actor: User, target: str, hold_reason: str | None = None
) -> None:
    """Let an agent move an incident to another status (hold needs a reason); resolving and
    cancelling have their own functions, which ask for more than a click."""
    ensure(Action.CHANGE_STATUS, actor, incident, target)
    move_to(incident, actor, target, hold_reason)
    events.publish(StatusChanged(incident, actor))
    commit()


@unit_of_work
def resolve(
    incident: Incident, actor: User, code: str, notes: str, workaround: str | None = None
) -> None:
    """Resolve: record how, tell the requester, and wait for their confirmation."""
    ensure(Action.RESOLVE, actor, incident)
    if code not in RESOLUTION_CODES or code in REQUESTER_ONLY_CODES:
        raise InvalidInput("Choose a resolution code.")
    incident.resolution_notes = check.required_text(notes, "Resolution notes")
    incident.workaround = check.optional_text(workaround, "Workaround") or incident.workaround
    incident.resolution_code = code
    move_to(incident, actor, lifecycle.RESOLVED, action="resolved")
    incident.resolved_at = utcnow()
    incident.last_activity_at = incident.resolved_at
    events.publish(Resolved(incident, actor))
    commit()


def resolve_unattended(incident: Incident, code: str, notes: str, action: str) -> None:
    """Resolve with nobody acting (the worker's automation), recorded as `action`: the same
    fields, status move and Resolved event as an agent's resolution, so the requester gets
    the same mail with its confirm and "still broken" links. Callers check and commit."""
    incident.resolution_notes = notes
    incident.resolution_code = code
    move_to(incident, None, lifecycle.RESOLVED, action=action)
    incident.resolved_at = utcnow()
    incident.last_activity_at = incident.resolved_at
    events.publish(Resolved(incident, None))


def close_unattended(incident: Incident, action: str) -> None:
    """Close a resolved incident with nobody acting, recorded as `action`; Closed sends the
    requester the usual closing mail with its rating link. Callers check and commit."""
    move_to(incident, None, lifecycle.CLOSED, action=action)
    events.publish(Closed(incident, None))


@unit_of_work
def cancel(incident: Incident, actor: User, reason: str) -> None:
    """Cancel an incident that needs no work (raised in error, spam, a duplicate report)."""
    ensure(Action.CANCEL, actor, incident)
    _cancel(incident, actor, check.required_text(reason, "The reason"), "cancelled")
    commit()


@unit_of_work
def withdraw(incident: Incident, user: User, reason: str | None = None) -> None:
    """The requester no longer needs help (it came back, they found the answer): cancel it.

    Only while it is open: a resolved incident waits for a confirmation or a rejection
    instead. The audit trail says the requester withdrew it, with their words if any.
    """
    ensure(Action.WITHDRAW, user, incident)
    words = check.optional_text(reason, "The reason", WITHDRAW_REASON_MAX)
    _cancel(incident, user, f"{WITHDRAWN}: {words}" if words else WITHDRAWN, "withdrawn")
    events.publish(Withdrawn(incident, words))
    commit()


def _cancel(incident: Incident, actor: User, reason: str, action: str) -> None:
    """Move to cancelled and record why; callers check who may and commit."""
    move_to(incident, actor, lifecycle.CANCELLED, action=action)
    record(incident, actor, "cancel_reason", reason=reason)


@unit_of_work
def confirm_resolution(incident: Incident, user: User) -> None:
    """The requester agrees the incident is solved: close it."""
    ensure(Action.CONFIRM, user, incident)
    move_to(incident, user, lifecycle.CLOSED, action="confirmed")
    events.publish(Closed(incident, user))
    commit()


@unit_of_work
def reject_resolution(incident: Incident, user: User, comment: str) -> Message:
    """The requester says it is still broken: reopen with their explanation in the thread."""
    ensure(Action.REJECT, user, incident)
    text = check.required_text(comment, "Please say what is still wrong; the explanation")
    message = Message(
        incident_id=incident.id,
        kind=REPLY,
        channel="portal",
        author_id=user.id,
        body=text,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    incident.last_activity_at = message.created_at
    incident.last_public_activity_at = message.created_at
    move_to(incident, user, lifecycle.IN_PROGRESS, action="reopened")
    # The next resolution overwrites these fields: the trail keeps what was turned down.
    record(
        incident,
        user,
        REJECTED_RESOLUTION,
        code=incident.resolution_code,
        notes=incident.resolution_notes,
        workaround=incident.workaround,
    )
    events.publish(PublicReplyAdded(incident, message))
    commit()
    return message


@unit_of_work
def rate(incident: Incident, user: User, rating: int, comment: str | None = None) -> None:
    """Record the requester's satisfaction (1-5) with a resolved or closed incident."""
    ensure(Action.RATE, user, incident)
    if rating not in range(1, 6):
        raise InvalidInput("The rating must be from 1 to 5.")
    text = check.optional_text(comment, "The comment", 2000)
    incident.satisfaction_rating = rating
    incident.satisfaction_comment = text
    record(incident, user, "rated", rating=rating)
    commit()
