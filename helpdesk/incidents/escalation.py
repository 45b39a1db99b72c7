"""Functional escalation: an incident moves to the next support tier's team, the team its
assigned team names as its escalation team (Team.escalation_team), or one an agent
chooses.

An agent escalates with a reason (the next tier reads why); the helpdesk escalates by
itself when the incident's SLA policy says so (SlaPolicy.escalate_on: "warning" or
"breach") at the first warning or breach of a target. Either way the move goes through
`hand_to` (the one path that reassigns: audit event "escalated" with who, why, from and
to, the status kept in step, Assigned published) and Escalated is published, which the
notifications turn into a notice for the new team's lead.

An incident escalates by itself at most once for each trigger: each target's warning or
breach happens once, and when both targets are warned (or breached) in the same pass, the
second must not push the incident on a second tier in the same breath. An agent can always
escalate further by hand.
"""

from __future__ import annotations

from helpdesk.core import events
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.incidents.assignment import hand_to
from helpdesk.incidents.audit import trail_so_far
from helpdesk.incidents.events import Escalated, SlaBreached, SlaWarned
from helpdesk.incidents.guard import ensure, incident_facts
from helpdesk.models import Incident, SlaPolicy, Team, User
from helpdesk.permissions import Action

ESCALATED = "escalated"  # the audit trail's action
BY_AGENT = "agent"
# What each SLA event escalates on: the policy's escalate_on value, the trigger recorded,
# and the reason the next team reads.
AUTOMATIC: dict[type, tuple[str, str, str]] = {
    SlaWarned: ("warning", "sla_warning", "The {} target reached its warning share"),
    SlaBreached: ("breach", "sla_breach", "The {} target was breached"),
}
REASON_MAX = 2000


@unit_of_work
def escalate(
    incident: Incident, actor: User, reason: str | None, team_id: int | None = None
) -> Team:
    """Move an open incident to `team_id`, or else to its assigned team's escalation team,
    with the agent's reason; the agent assigned is cleared (the new team picks one).
    Returns the team it went to."""
    ensure(Action.ESCALATE, actor, incident)
    why = check.typed_text(reason)
    if not why:
        raise InvalidInput("Give the reason for escalating: the next team reads it first.")
    if len(why) > REASON_MAX:
        raise InvalidInput(f"The reason is too long (at most {REASON_MAX} characters).")
    chosen = check.existing(Team, team_id, "team")
    target = chosen if chosen is not None else _next_tier(incident)
    if target.id == incident.assigned_team_id:
        raise InvalidInput(f"The incident is already with {target.name}.")
    _move(incident, actor, target, why, BY_AGENT)
    commit()
    return target


def _next_tier(incident: Incident) -> Team:
    """The assigned team's escalation team, or a refusal that says what to do instead."""
    current = incident.assigned_team
    if current is None:
        raise InvalidInput("The incident is not with a team yet: choose the team to escalate to.")
    if current.escalation_team is None:
        raise InvalidInput(f"{current.name} names no escalation team: choose the team.")
    return current.escalation_team


def _move(incident: Incident, actor: User | None, target: Team, reason: str, trigger: str) -> None:
    """Hand the incident to `target` with nobody assigned, recorded and published."""
    from_team = incident.assigned_team.name if incident.assigned_team else None
    hand_to(
        incident,
        actor,
        target,
        None,
        action=ESCALATED,
        reason=reason,
        trigger=trigger,
        from_team=from_team,
    )
    events.publish(Escalated(incident, actor, from_team, target, reason, trigger))


def subscribe_to_events() -> None:
    """Escalate by itself on the SLA warnings and breaches the policy names (the
    composition root calls this after the clocks subscribe and before notify, so the mail
    about a warning already sees the team the incident went to)."""
    for event_type in AUTOMATIC:
        events.subscribe(event_type, _on_sla_event)


def _on_sla_event(event: SlaWarned | SlaBreached) -> None:
    """Escalate the incident one tier if its policy escalates on this kind of event, its
    team names an escalation team, and it did not escalate by itself on this kind before.

    This runs inside the clock's publishing loop (clocks.recompute): the hand-over may
    move the status, whose StatusMoved recomputes the clock again, which finds this
    warning or breach already stored and publishes nothing twice.
    """
    on, trigger, reason = AUTOMATIC[type(event)]
    incident = event.incident
    if incident.sla_policy_id is None or not incident_facts(incident).live:
        return
    policy = db.session.get(SlaPolicy, incident.sla_policy_id)
    current = incident.assigned_team
    if policy is None or policy.escalate_on != on or current is None:
        return
    target = current.escalation_team
    if target is None or target.id == current.id or _escalated_by_itself(incident, trigger):
        return
    _move(incident, None, target, reason.format(event.target), trigger)


def _escalated_by_itself(incident: Incident, trigger: str) -> bool:
    """Whether the helpdesk already escalated the incident on `trigger`, as its trail stands
    in this unit (stored, and added but not yet flushed)."""
    with db.session.no_autoflush:
        trail = trail_so_far(incident)
    return any(
        row.action == ESCALATED
        and row.actor_id is None
        and (row.details or {}).get("trigger") == trigger
        for row in trail
    )
