"""Self-service: the requester solved their own incident with a help article (say, one the
acknowledgement email offered), so it is resolved and closed at once, with no agent."""

from __future__ import annotations

from typing import Protocol

from helpdesk import lifecycle
from helpdesk.core import events
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.incidents.events import Closed
from helpdesk.incidents.guard import ensure
from helpdesk.incidents.status import move_to
from helpdesk.models import Incident, User, utcnow
from helpdesk.permissions import Action

SELF_SERVICE = "self_service"


class Titled(Protocol):
    """What the incident needs to know of the article that solved it."""

    id: int
    title: str


@unit_of_work
def resolve_by_requester(incident: Incident, user: User, article: Titled) -> None:
    """The requester says an article fixed it: resolve with code "self_service", then close."""
    ensure(Action.SELF_RESOLVE, user, incident)
    now = utcnow()
    incident.resolution_code = SELF_SERVICE
    incident.resolution_notes = f"Solved by the requester with the help article “{article.title}”."
    move_to(incident, user, lifecycle.RESOLVED, action="self_resolved")
    incident.resolved_at = now
    incident.last_activity_at = now
    move_to(incident, user, lifecycle.CLOSED, action="confirmed")
    events.publish(Closed(incident, user))
    commit()
