"""Changing one incident through the API: reply, note, classify, assign, escalate, and each
lifecycle action as its own operation (`POST /incidents/{reference}/actions/{name}`).

Every operation is one call (or one transaction of calls) to the same service functions the
console and the portal call, which check who may do what (helpdesk.permissions) and refuse
with the sentence the web shows: NotAllowed is 403, a change the incident's state refuses
is 422. Someone who may not see the incident gets the same 404 as for none at all.
"""

from __future__ import annotations

from flask import url_for
from spectree import Response

from helpdesk import accounts, incidents, lifecycle
from helpdesk.api.auth import caller, requires
from helpdesk.api.blueprint import bp, spec
from helpdesk.api.catalogue import entry_named, team_named
from helpdesk.api.idempotency import IdempotencyHeaders, idempotent
from helpdesk.api.incident_schemas import (
    AssignmentIn,
    CancelIn,
    ClassificationIn,
    EscalateIn,
    HoldIn,
    MessageIn,
    RejectIn,
    ReopenIn,
    ResolveIn,
)
from helpdesk.api.incidents import incident_out, message_out, visible
from helpdesk.api.problems import REFUSALS, Problem
from helpdesk.api.schemas import IncidentOut, MessageOut, sent
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import transaction
from helpdesk.core.validation import typed_text
from helpdesk.incidents import escalation
from helpdesk.incidents.guard import ensure
from helpdesk.models import Incident, Message
from helpdesk.permissions import Action

CHANNEL = "api"
# What an operation on one incident may answer besides its success: no such incident (or
# not one the caller may see), a change refused; with a body, one that is not JSON.
ON_INCIDENT = {"HTTP_404": Problem, "HTTP_422": Problem, **REFUSALS}
WITH_BODY = {"HTTP_415": Problem, **ON_INCIDENT}
CHANGED = Response(HTTP_200=IncidentOut, **WITH_BODY)
CLICKED = Response(HTTP_200=IncidentOut, **ON_INCIDENT)  # an action without a body
POSTED = Response(HTTP_201=MessageOut, **WITH_BODY)
TAGS = ["incident actions"]


def read_back(incident: Incident) -> IncidentOut:
    """The incident as the caller now sees it."""
    return incident_out(incident, caller())


def created(message: Message, reference: str) -> tuple[MessageOut, int, dict[str, str]]:
    """A new message's answer: 201, where to read the incident carrying it."""
    location = url_for("api.incident", reference=reference)
    return message_out(message), 201, {"Location": location}


def looking_up(action: Action, incident: Incident) -> None:
    """Refuse the console's work to whoever the console refuses it before the names in the
    request are looked up, so that a refusal never tells a requester the teams or whether
    an address has an account (the service function asks the same policy again)."""
    ensure(action, caller(), incident)


def agent_with(address: str | None) -> int | None:
    """The id of the person a request names by address (the service checks it is an agent)."""
    if address is None or not address.strip():
        return None
    person = accounts.find_by_email(address)
    if person is None:
        raise InvalidInput(f"No one has the address {address[:80]!r}.")
    return person.id


# --- The conversation ------------------------------------------------------------------


@bp.post("/incidents/<reference>/replies")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=POSTED, tags=TAGS)
def reply(reference: str, json: MessageIn) -> tuple[MessageOut, int, dict[str, str]]:
    """Add a public reply (the requester's side or an agent); the requester and the people
    copied get it by email. A requester's reply reopens a resolved incident."""
    incident = visible(reference)
    message = incidents.add_reply(incident, caller(), sent(json).body, channel=CHANNEL)
    return created(message, reference)


@bp.post("/incidents/<reference>/notes")
@requires("write")
@idempotent
@spec.validate(headers=IdempotencyHeaders, resp=POSTED, tags=TAGS)
def note(reference: str, json: MessageIn) -> tuple[MessageOut, int, dict[str, str]]:
    """Add an internal note, which only agents see (agents only)."""
    incident = visible(reference)
    message = incidents.add_note(incident, caller(), sent(json).body, channel=CHANNEL)
    return created(message, reference)


# --- Classification and assignment --------------------------------------------------------


@bp.post("/incidents/<reference>/classification")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def classification(reference: str, json: ClassificationIn) -> IncidentOut:
    """Set impact, urgency, category and service (by name); the priority follows from
    impact and urgency unless overridden with a reason (agents only)."""
    incident = visible(reference)
    wanted = sent(json)
    looking_up(Action.CLASSIFY, incident)
    change = incidents.Classification(
        impact=wanted.impact,
        urgency=wanted.urgency,
        category_id=entry_named("categories", wanted.category),
        service_id=entry_named("services", wanted.service),
        override_priority=wanted.priority,
        override_reason=wanted.reason,
    )
    incidents.classify(incident, caller(), change)
    return read_back(incident)


@bp.post("/incidents/<reference>/assignment")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def assignment(reference: str, json: AssignmentIn) -> IncidentOut:
    """Assign to a team (by name) and optionally one of its agents (by address); neither
    unassigns it (agents only)."""
    incident = visible(reference)
    wanted = sent(json)
    looking_up(Action.ASSIGN, incident)
    incidents.assign(incident, caller(), team_named(wanted.team), agent_with(wanted.agent))
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/escalate")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def escalate(reference: str, json: EscalateIn) -> IncidentOut:
    """Escalate to the named team, or to the assigned team's escalation team, with the
    reason the next team reads (agents only)."""
    incident = visible(reference)
    wanted = sent(json)
    looking_up(Action.ESCALATE, incident)
    escalation.escalate(incident, caller(), wanted.reason, team_named(wanted.team))
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/take")
@requires("write")
@spec.validate(resp=CLICKED, tags=TAGS)
def take(reference: str) -> IncidentOut:
    """Take ownership: the caller becomes the incident's owner (agents only)."""
    incident = visible(reference)
    incidents.take_ownership(incident, caller())
    return read_back(incident)


# --- The lifecycle -----------------------------------------------------------------------


@bp.post("/incidents/<reference>/actions/hold")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def hold(reference: str, json: HoldIn) -> IncidentOut:
    """Put on hold with one of the console's reasons, and an internal note if given
    (agents only)."""
    incident = visible(reference)
    wanted = sent(json)
    with transaction():
        incidents.change_status(incident, caller(), lifecycle.ON_HOLD, wanted.reason)
        if typed_text(wanted.note):
            incidents.add_note(incident, caller(), wanted.note or "", channel=CHANNEL)
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/resume")
@requires("write")
@spec.validate(resp=CLICKED, tags=TAGS)
def resume(reference: str) -> IncidentOut:
    """Take an incident on hold back to work (agents only)."""
    incident = visible(reference)
    _expect(incident, lifecycle.ON_HOLD, "The incident is not on hold.")
    incidents.change_status(incident, caller(), lifecycle.IN_PROGRESS)
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/resolve")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def resolve(reference: str, json: ResolveIn) -> IncidentOut:
    """Resolve with a code and notes; the requester is asked to confirm (agents only)."""
    incident = visible(reference)
    wanted = sent(json)
    incidents.resolve(incident, caller(), wanted.code, wanted.notes, wanted.workaround)
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/reopen")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def reopen(reference: str, json: ReopenIn) -> IncidentOut:
    """Take a resolved incident back to work, with the reason as an internal note if given
    (agents only; the requester's side rejects the resolution instead)."""
    incident = visible(reference)
    why = typed_text(sent(json).reason)
    _expect(incident, lifecycle.RESOLVED, "Only a resolved incident can be reopened.")
    with transaction():
        incidents.change_status(incident, caller(), lifecycle.IN_PROGRESS)
        if why:
            incidents.add_note(incident, caller(), why, channel=CHANNEL)
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/close")
@requires("write")
@spec.validate(resp=CLICKED, tags=TAGS)
def close(reference: str) -> IncidentOut:
    """Close a resolved incident (agents only; the requester's side confirms instead)."""
    incident = visible(reference)
    incidents.change_status(incident, caller(), lifecycle.CLOSED)
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/cancel")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def cancel(reference: str, json: CancelIn) -> IncidentOut:
    """Cancel: an agent cancels an incident that needs no work (a reason is required); the
    requester withdraws their own open incident (the reason is optional)."""
    incident = visible(reference)
    reason = sent(json).reason
    if caller().is_agent:
        incidents.cancel(incident, caller(), reason or "")
    else:
        incidents.withdraw(incident, caller(), reason)
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/confirm")
@requires("write")
@spec.validate(resp=CLICKED, tags=TAGS)
def confirm(reference: str) -> IncidentOut:
    """Confirm the resolution works, which closes the incident (the requester's side)."""
    incident = visible(reference)
    incidents.confirm_resolution(incident, caller())
    return read_back(incident)


@bp.post("/incidents/<reference>/actions/reject")
@requires("write")
@spec.validate(resp=CHANGED, tags=TAGS)
def reject(reference: str, json: RejectIn) -> IncidentOut:
    """Say the resolution did not work: the comment joins the conversation and the incident
    is open again (the requester's side)."""
    incident = visible(reference)
    incidents.reject_resolution(incident, caller(), sent(json).comment)
    return read_back(incident)


def _expect(incident: Incident, status: str, sentence: str) -> None:
    """Refuse an action meant for incidents in `status` (after the console's own check of
    who may change the status at all, so a requester hears that first)."""
    ensure(Action.CHANGE_STATUS, caller(), incident)
    if incident.status != status:
        raise InvalidInput(sentence)
