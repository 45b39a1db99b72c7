"""Which events email whom. Called by the service layer inside its transaction, so a
notification is queued if and only if the change that caused it is committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g

from helpdesk.models import Incident, Message, User
from helpdesk.notify.compose import external_url, incident_subject, queue_email


@contextmanager
def suppressed() -> Iterator[None]:
    """Queue no mail inside this block (demo data and bulk imports)."""
    previous = g.get("notifications_suppressed", False)
    g.notifications_suppressed = True
    try:
        yield
    finally:
        g.notifications_suppressed = previous


def _enabled() -> bool:
    return current_app.config.get("NOTIFICATIONS", True) and not g.get(
        "notifications_suppressed", False
    )


def _requester_side(incident: Incident) -> list[User]:
    """The requester and participants who can receive mail."""
    return [p for p in [incident.requester, *incident.participants] if p.active]


def incident_opened(incident: Incident) -> None:
    """Acknowledge a new incident to its requester, with the reference and a portal link."""
    if not _enabled() or not incident.requester.active:
        return
    queue_email(
        incident.requester,
        incident_subject(incident),
        "incident_opened",
        incident,
        link=external_url("portal.incident", reference=incident.reference),
    )


def public_reply(incident: Incident, message: Message) -> None:
    """Send an agent's public reply to the requester side; tell the agent of a user's reply."""
    if not _enabled():
        return
    author = message.author
    if author is not None and author.is_agent:
        recipients = _requester_side(incident)
        template, endpoint = "public_reply", "portal.incident"
    else:
        recipients = [a for a in [incident.assigned_agent] if a is not None and a.active]
        template, endpoint = "user_replied", "agent.incident"
    for person in recipients:
        if author is None or person.id != author.id:
            queue_email(
                person,
                incident_subject(incident),
                template,
                incident,
                automatic=False,
                message=message,
                link=external_url(endpoint, reference=incident.reference),
            )


def resolved(incident: Incident) -> None:
    """Tell the requester side their incident is resolved and how to confirm or reopen it."""
    if not _enabled():
        return
    link = external_url("portal.incident", reference=incident.reference)
    for person in _requester_side(incident):
        queue_email(person, incident_subject(incident), "resolved", incident, link=link)


def password_link(user: User, link: str) -> None:
    """Send a single-use link to set or reset a password (sent even for first-time setup)."""
    queue_email(
        user,
        f"{current_app.config['SITE_NAME']}: set your password",
        "password_link",
        link=link,
        first_time=not user.has_password,
    )
