"""One imported line as rows: the incident, its messages with their attachments' metadata and
its audit trail, every time as written. Nothing of the incident service runs (no mail, no SLA
clock, no events): the line is history, stored as it happened. An open incident is left due
for the scheduler's next SLA pass, which runs its clock from that history under the policy
that applies here, as for any incident in progress.

Times the export does not write are read off the history: the status last moved at the
trail's last status change, the requester last saw something change at the newest public
reply or status change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk import lifecycle
from helpdesk.extensions import db
from helpdesk.history.format_one import EventLine, IncidentLine, MessageLine
from helpdesk.history.matching import Matcher
from helpdesk.incidents.attachments import NOT_STORED
from helpdesk.models import (
    REPLY,
    Attachment,
    AuditEvent,
    Category,
    Change,
    Incident,
    Message,
    Problem,
    Service,
    Team,
    utcnow,
)
from helpdesk.models.audit import INCIDENT


def add_incident(number: int, line: IncidentLine, ident: int, matcher: Matcher) -> list[str]:
    """Stage one line's incident with id `ident`; return warnings about what it names and
    this helpdesk lacks (its problem and change records). Its lookups do not flush: a
    batch's lines are flushed together, so the search index and the reports' facts are kept
    once per batch rather than once per lookup."""
    with db.session.no_autoflush:
        return _stage(number, line, ident, matcher)


def _stage(number: int, line: IncidentLine, ident: int, matcher: Matcher) -> list[str]:
    """Add the incident, its messages and its audit trail to the session."""
    service = matcher.entry(Service, line.service)
    category = matcher.entry(Category, line.category)
    requester = matcher.person(line.requester)
    participants = {p.id: p for p in map(matcher.person, line.participants) if p is not None}
    resolution = line.resolution
    incident = Incident(
        id=ident,
        reference=line.reference,
        subject=line.subject,
        description=line.description,
        channel=line.channel,
        requester=requester,
        participants=list(participants.values()),
        category=category,
        service=service,
        impact=line.impact,
        urgency=line.urgency,
        priority=line.priority,
        priority_override_reason=line.priority_override_reason,
        status=line.status,
        on_hold_reason=line.on_hold_reason,
        assigned_team=matcher.entry(Team, line.assigned_team),
        assigned_agent=matcher.person(line.assigned_agent),
        owner_team=matcher.entry(Team, line.owner_team),
        owner_agent=matcher.person(line.owner_agent),
        sla_policy_id=matcher.policy_id(service, category),
        **_times(line),
        workaround=resolution.workaround if resolution else None,
        resolution_code=resolution.code if resolution else None,
        resolution_notes=resolution.notes if resolution else None,
        satisfaction_rating=line.satisfaction.rating if line.satisfaction else None,
        satisfaction_comment=line.satisfaction.comment if line.satisfaction else None,
    )
    incident.sla_check_at = _clock_due(incident)
    warnings = _records(number, line, incident)
    db.session.add(incident)
    db.session.add_all(_message(incident, message, matcher) for message in line.messages)
    db.session.add_all(_event(ident, event, matcher) for event in line.audit_events)
    return warnings


def _clock_due(incident: Incident) -> datetime | None:
    """When the scheduler should run the incident's SLA clock: at once for an open incident
    a policy holds (still work in progress: its targets warn and breach here from now on,
    a target already past due at its next pass), never for one resolved, closed or
    cancelled (its clock is history: old breaches are not announced again)."""
    if incident.sla_policy_id is None or incident.status not in lifecycle.OPEN_STATUSES:
        return None
    return utcnow()


def _times(line: IncidentLine) -> dict[str, datetime | None]:
    """The incident's times: as written, and the two the export leaves out, read off the
    history."""
    moves = [e.created_at for e in line.audit_events if {"from", "to"} <= e.details.keys()]
    status_changed = max(moves, default=line.created_at)
    public = [m.created_at for m in line.messages if m.kind == REPLY and not m.needs_review]
    return {
        "created_at": line.created_at,
        "updated_at": line.updated_at,
        "last_activity_at": line.last_activity_at or line.updated_at,
        "last_public_activity_at": max([line.created_at, status_changed, *public]),
        "status_changed_at": status_changed,
        "first_response_at": line.first_response_at,
        "response_due_at": line.response_due_at,
        "resolution_due_at": line.resolution_due_at,
        "sla_paused_at": line.sla_paused_at,
        "resolved_at": line.resolved_at,
        "closed_at": line.closed_at,
    }


def _records(number: int, line: IncidentLine, incident: Incident) -> list[str]:
    """Link the problem and the change the line names, when this helpdesk has them; say
    which it lacks."""
    warnings = []
    for model, reference, field in (
        (Problem, line.problem_reference, "problem"),
        (Change, line.change_reference, "caused_by_change"),
    ):
        if reference is None:
            continue
        found = db.session.scalars(select(model).where(model.reference == reference)).first()
        if found is None:
            warnings.append(f"line {number}: {reference} is not in this helpdesk; not linked")
        setattr(incident, field, found)
    return warnings


def _message(incident: Incident, line: MessageLine, matcher: Matcher) -> Message:
    """One message and its attachments' metadata (their bytes were not exported)."""
    message = Message(
        incident=incident,
        kind=line.kind,
        channel=line.channel,
        author=matcher.person(line.author),
        body=line.body,
        created_at=line.created_at,
        email_message_id=line.email_message_id,
        needs_review=line.needs_review,
        review_reason=line.review_reason,
    )
    message.attachments = [
        Attachment(
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            storage_path=NOT_STORED,
            created_at=line.created_at,
        )
        for item in line.attachments
    ]
    return message


def _event(ident: int, line: EventLine, matcher: Matcher) -> AuditEvent:
    """One audit event as recorded then: its actor, action, details and time."""
    actor = matcher.person(line.actor)
    return AuditEvent(
        subject_type=INCIDENT,
        subject_id=ident,
        actor_id=actor.id if actor else None,
        action=line.action,
        details=dict(line.details),
        created_at=line.created_at,
    )
