"""An incident's SLA timeline, read off its audit trail: the clock's events
(helpdesk.sla.clock) from what the incident service recorded, so the live clock and
`helpdesk sla simulate` run the same function on the same kind of input.

What each recorded action means to the clock:
- `opened` (with its priority) starts it; an incident an agent logged by phone, at the desk
  or in a chat was answered while it was logged, so that is the first public reply too;
- `classified` with a priority change applies the new priority's targets;
- `sla_policy` (recorded when the incident's applicable policy changed) applies the new
  policy from then on, and names the previous one, so the first names the policy the
  incident opened under;
- `replied` is an agent's public reply, or else the requester side's (by any channel: the
  portal, email, the API); `noted` is an agent's note, which meets nothing;
- every status change (whatever its action: status_changed, resolved, reopened, confirmed,
  cancelled, ...) records `from` and `to`: a move to on hold is a hold with its reason,
  leaving on hold a resume, a move to resolved the resolution, a move from resolved back
  to work a reopen, and a move to closed or cancelled ends the clock for good.
Automatic acknowledgements, assignments, links and the rest are no events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from helpdesk import lifecycle
from helpdesk.channels import AGENT_CHANNELS
from helpdesk.models import AuditEvent
from helpdesk.sla.clock import POLICY, Event, Policy

POLICY_CHANGED = "sla_policy"


@dataclass(frozen=True)
class Timeline:
    """The clock's events in the trail's order, when the incident was closed or cancelled
    (None while it may still change), and the id of the policy it opened under when the
    trail records a change of policy (None: no change, so the one that applies now)."""

    events: list[Event]
    ended_at: datetime | None
    opened_under: int | None = None


def policy_ids(trail: Iterable[AuditEvent]) -> set[int]:
    """The ids of the policies the trail's changes of policy name, to load in one go."""
    ids: set[int] = set()
    for record in trail:
        if record.action == POLICY_CHANGED:
            ids.update((record.details["policy"], record.details["previous"]))
    return ids


def timeline(trail: Iterable[AuditEvent], policies: Mapping[int, Policy]) -> Timeline:
    """The timeline of an incident whose audit trail is `trail`, oldest first; `policies`
    by id are those `policy_ids` names (a change to a policy since deleted is skipped)."""
    events: list[Event] = []
    ended_at = opened_under = None
    for record in trail:
        events.extend(_events_of(record, policies))
        if ended_at is None and record.details.get("to") in lifecycle.TERMINAL_STATUSES:
            ended_at = record.created_at
        if opened_under is None and record.action == POLICY_CHANGED:
            opened_under = record.details["previous"]
    return Timeline(events, ended_at, opened_under)


def _events_of(record: AuditEvent, policies: Mapping[int, Policy]) -> Iterator[Event]:
    """The clock's events one recorded action stands for (most stand for none)."""
    at, details = record.created_at, record.details
    if record.action == POLICY_CHANGED:
        if details["policy"] in policies:
            yield Event(at, POLICY, policy=policies[details["policy"]])
    elif record.action == "opened":
        yield Event(at, "opened", priority=details["priority"])
        if details.get("channel") in AGENT_CHANNELS:
            yield Event(at, "agent_public_reply")
    elif record.action == "classified" and "priority" in details.get("changes", {}):
        yield Event(at, "priority", priority=details["changes"]["priority"][1])
    elif record.action == "replied":
        yield Event(at, "agent_public_reply" if is_agent_reply(record) else "requester_reply")
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


def is_agent_reply(record: AuditEvent) -> bool:
    """Whether a reply was an agent's: as recorded with it, or, for replies recorded before
    the trail said so, by the author's role now."""
    if "by_agent" in record.details:
        return bool(record.details["by_agent"])
    return record.actor is not None and record.actor.is_agent
