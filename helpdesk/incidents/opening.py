"""Opening incidents: from the portal, by an agent on someone's behalf, or by email."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpdesk.channels import AGENT_CHANNELS, INCIDENT_CHANNELS
from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.settings import settings
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.attachments import NewAttachment, attach, check_attachments
from helpdesk.incidents.audit import record
from helpdesk.incidents.events import IncidentOpened
from helpdesk.incidents.participants import person_label
from helpdesk.models import REPLY, Category, Incident, IncidentLink, Message, Service, User, utcnow
from helpdesk.priority import priority_for
from helpdesk.references import spell_reference


@dataclass
class IncidentReport:
    """What someone reports: everything needed to open an incident."""

    subject: str
    description: str
    category_id: int | None = None
    service_id: int | None = None
    urgency: str = "medium"
    impact: str = "low"
    channel: str = "portal"
    attachments: list[NewAttachment] = field(default_factory=list)
    participants: list[User] = field(default_factory=list)
    email_message_id: str | None = None
    body_html: str | None = None  # sanitized HTML of an emailed report
    # False for mail that must not be answered automatically (auto-replies, bulk, loops).
    acknowledge: bool = True


def format_reference(number: int) -> str:
    """Return the display reference for an incident number, e.g. INC-000123."""
    return spell_reference(settings().site.reference_prefix, number)


@unit_of_work
def open_incident(requester: User, report: IncidentReport, actor: User | None = None) -> Incident:
    """Open an incident for `requester`; `actor` is who filed it (default: the requester)."""
    incident = open_reported(requester, report, actor).incident
    commit()
    return incident


@unit_of_work
def open_reported(requester: User, report: IncidentReport, actor: User | None = None) -> Message:
    """Open an incident and return the message that reported it (the mail gateway records
    which message each mail became).

    The incident, its first message and a new requester's account are written in one
    flush, which the incident's number needs for its reference.
    """
    actor = actor or requester
    if actor.id != requester.id:
        check.require_agent(actor)
    if report.channel not in INCIDENT_CHANNELS:
        raise InvalidInput(f"Unknown channel {report.channel!r}.")
    incident = _build_incident(requester, report)
    check_attachments(report.attachments)
    first = Message(
        incident=incident,
        kind=REPLY,
        channel=report.channel,
        author=requester,
        body=incident.description,
        body_html=report.body_html,
        email_message_id=report.email_message_id,
        created_at=incident.created_at,
    )
    attach(first, report.attachments)
    db.session.add(first)
    db.session.flush()
    incident.reference = format_reference(incident.id)
    on_behalf = {"logged_for": person_label(requester)} if actor.id != requester.id else {}
    record(
        incident, actor, "opened", channel=report.channel, priority=incident.priority, **on_behalf
    )
    events.publish(IncidentOpened(incident, report.acknowledge, first))
    commit()
    return first


@unit_of_work
def open_for_requester(agent: User, requester: User, report: IncidentReport) -> Incident:
    """Log an incident an agent took by phone, at the desk or in a chat, for `requester`.

    The requester gets the same acknowledgement as for any incident, and the audit trail
    names the agent who logged it. The agent spoke with the requester while logging, so
    the first response is given then: the response clock does not run against the desk
    for a call it has answered.
    """
    check.require_agent(agent)
    if report.channel not in AGENT_CHANNELS:
        raise InvalidInput("Say how the requester got in touch: by phone, walk-in or chat.")
    if not requester.active:
        raise InvalidInput(f"The account of {person_label(requester)} is deactivated.")
    incident = open_incident(requester, report, actor=agent)
    incident.first_response_at = incident.created_at
    commit()
    return incident


def _build_incident(requester: User, report: IncidentReport) -> Incident:
    """Validate a report and turn it into an unsaved Incident with its priority (its SLA
    clock is set by whoever subscribes to IncidentOpened)."""
    impact = check.level(report.impact, "Impact")
    urgency = check.level(report.urgency, "Urgency")
    category = check.active_catalogue_entry(Category, report.category_id, "category")
    service = check.active_catalogue_entry(Service, report.service_id, "service")
    now = utcnow()
    priority = priority_for(impact, urgency)
    return Incident(
        subject=check.required_text(report.subject, "Subject", check.SUBJECT_MAX),
        description=check.required_text(report.description, "Description"),
        channel=report.channel,
        requester=requester,
        category=category,
        service=service,
        impact=impact,
        urgency=urgency,
        priority=priority,
        status="new",
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        last_public_activity_at=now,
        participants=[p for p in report.participants if p.id != requester.id],
    )


@unit_of_work
def open_follow_up(closed: Incident, requester: User, report: IncidentReport) -> Message:
    """Open a new incident for news on a closed one, linked back to it; return the message
    that reported it, as `open_reported` does."""
    report.category_id = report.category_id or closed.category_id
    report.service_id = report.service_id or closed.service_id
    first = open_reported(requester, report)
    incident = first.incident
    incident.reopened_from_id = closed.id
    low, high = sorted((closed.id, incident.id))
    db.session.add(IncidentLink(low_id=low, high_id=high))
    record(incident, requester, "follow_up_of", reference=closed.reference)
    commit()
    return first
