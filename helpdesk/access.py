"""Who may see what: pure checks on loaded models, used by every view and download."""

from __future__ import annotations

from helpdesk.models import Attachment, Incident, Message, User


def can_view_incident(user: User, incident: Incident) -> bool:
    """Agents see every incident; users see the ones they reported or participate in."""
    return user.is_agent or incident.involves(user)


def can_view_message(user: User, message: Message) -> bool:
    """Users see only public replies; notes and system events are for agents."""
    return user.is_agent or message.is_public


def can_download(user: User, attachment: Attachment, incident: Incident) -> bool:
    """A file is visible exactly when its message and the incident it is on are visible."""
    return can_view_incident(user, incident) and can_view_message(user, attachment.message)
