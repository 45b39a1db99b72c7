"""The conversation: public replies and internal notes."""

from __future__ import annotations

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.attachments import NewAttachment, attach, check_attachments
from helpdesk.incidents.audit import record
from helpdesk.incidents.events import PublicReplyAdded
from helpdesk.incidents.guard import ensure
from helpdesk.incidents.status import move_to
from helpdesk.models import NOTE, REPLY, Incident, Message, User, utcnow
from helpdesk.permissions import Action


@unit_of_work
def add_reply(
    incident: Incident,
    author: User,
    body: str,
    channel: str = "portal",
    attachments: list[NewAttachment] | None = None,
    email_message_id: str | None = None,
    body_html: str | None = None,
) -> Message:
    """Add a public reply; a requester's reply can reopen a resolved incident or end a hold."""
    ensure(Action.REPLY, author, incident)
    message = new_message(
        incident, author, REPLY, body, channel, attachments, email_message_id, body_html
    )
    if author.is_agent:
        incident.first_response_at = incident.first_response_at or message.created_at
    else:
        _requester_news(incident, author)
    record(incident, author, "replied", message_id=message.id, by_agent=author.is_agent)
    events.publish(PublicReplyAdded(incident, message))
    commit()
    return message


@unit_of_work
def add_note(
    incident: Incident,
    author: User,
    body: str,
    attachments: list[NewAttachment] | None = None,
    channel: str = "agent",
) -> Message:
    """Add an internal note that only agents see."""
    ensure(Action.NOTE, author, incident)
    message = new_message(incident, author, NOTE, body, channel, attachments, None)
    record(incident, author, "noted", message_id=message.id)
    commit()
    return message


def new_message(
    incident: Incident,
    author: User | None,
    kind: str,
    body: str,
    channel: str,
    attachments: list[NewAttachment] | None,
    email_message_id: str | None,
    body_html: str | None = None,
) -> Message:
    """Validate and add a message with its attachments; bump the incident's activity time.

    Shared by every service function that writes to the thread; callers audit. A None
    author is the system (machine-written mail kept as a note).
    """
    files = attachments or []
    text = check.required_text(body, "The message")
    check_attachments(files)
    message = Message(
        incident_id=incident.id,
        kind=kind,
        channel=channel,
        author_id=author.id if author else None,
        body=text,
        body_html=body_html,
        email_message_id=email_message_id,
        created_at=utcnow(),
    )
    db.session.add(message)
    attach(message, files)
    db.session.flush()
    incident.last_activity_at = message.created_at
    if kind == REPLY:
        incident.last_public_activity_at = message.created_at
    return message


def _requester_news(incident: Incident, author: User) -> None:
    """A requester's reply reopens a resolved incident and ends a wait for them."""
    if incident.status == lifecycle.RESOLVED:
        move_to(incident, author, lifecycle.IN_PROGRESS, action="reopened")
    elif incident.status == lifecycle.ON_HOLD and incident.on_hold_reason == "awaiting_user":
        move_to(incident, author, lifecycle.IN_PROGRESS)
