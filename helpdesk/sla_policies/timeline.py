"""An incident's SLA timeline, read off its audit trail: the clock's events
(helpdesk.sla.clock) from what the incident service recorded, so the live clock and
`helpdesk sla simulate` run the same function on the same kind of input.

What each recorded action means to the clock:
- `opened` (with its priority) starts it; an incident an agent logged by phone, at the desk
  or in a chat was answered while it was logged, so that is the first public reply too;
- `classified` with a priority change applies the new priority's targets;
- `replied` is an agent's public reply, or else the requester side's (by any channel: the
  portal, email, the API); `noted` is an agent's note, which meets nothing;
- every status change (whatever its action: status_changed, resolved, reopened, confirmed,
  cancelled, ...) records `from` and `to`: a move to on hold is a hold with its reason,
  leaving on hold a resume, a move to resolved the resolution, a move from resolved back
  to work a reopen, and a move to closed or cancelled ends the clock for good.
Automatic acknowledgements, assignments, links and the rest are no events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from helpdesk import lifecycle
from helpdesk.channels import AGENT_CHANNELS
from helpdesk.models import AuditEvent
from helpdesk.sla.clock import Event


@dataclass(frozen=True)
class Timeline:
    """The clock's events in the trail's order, and when the incident was closed or
    cancelled (None while it may still change)."""

    events: list[Event]
    ended_at: datetime | None


def timeline(trail: Iterable[AuditEvent]) -> Timeline:
    """The timeline of an incident whose audit trail is `trail`, oldest first."""
    events: list[Event] = []
    ended_at = None
    for record in trail:
        events.extend(_events_of(record))
        if ended_at is None and record.details.get("to") in lifecycle.TERMINAL_STATUSES:
            ended_at = record.created_at
    return Timeline(events, ended_at)


def _events_of(record: AuditEvent) -> Iterator[Event]:
    """The clock's events one recorded action stands for (most stand for none)."""
    at, details = record.created_at, record.details
    if record.action == "opened":
        yield Event(at, "opened", priority=details["priority"])
        if details.get("channel") in AGENT_CHANNELS:
            yield Event(at, "agent_public_reply")
    elif record.action == "classified" and "priority" in details.get("changes", {}):
        yield Event(at, "priority", priority=details["changes"]["priority"][1])
    elif record.action == "replied":
        yield Event(at, "agent_public_reply" if _by_agent(record) else "requester_reply")
    elif record.action == "noted":
        yield Event(at, "agent_note")
    elif "from" in details and "to" in details:
        yield from _status_events(at, details["from"], details["to"], details.get("reason"))


def _status_events(at: datetime, before: str, after: str, reason: str | None) -> Iterator[Event]:
    """The clock's events for one status change."""
    if before == lifecycle.ON_HOLD and after != lifecycle.ON_HOLD:
        yield Event(at, "resume")
    if after == lifecycle.ON_HOLD:
        yield Event(at, "hold", reason=reason)
    elif after == lifecycle.RESOLVED:
        yield Event(at, "resolved")
    elif before == lifecycle.RESOLVED and after in lifecycle.OPEN_STATUSES:
        yield Event(at, "reopened")


def _by_agent(record: AuditEvent) -> bool:
    """Whether a reply was an agent's: as recorded with it, or, for replies recorded before
    the trail said so, by the author's role now."""
    if "by_agent" in record.details:
        return bool(record.details["by_agent"])
    return record.actor is not None and record.actor.is_agent
