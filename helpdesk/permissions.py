"""What a person may do with an incident now: one pure policy for the pages and the services.

The portal and the console show only the forms this policy allows, and every service
function asks it again before it changes anything, so a button can never offer what the
service refuses, and a rule changes in one place. It works on plain facts (who is looking,
where the incident stands), so it is tested without Flask or a database; the services'
helper (helpdesk.incidents.guard) reads those facts from the models.

A refusal says why in the words the user sees, and whether it is about who they are
(`by_role`: NotAllowed) or about where the incident stands (InvalidInput).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from helpdesk import lifecycle


class Action(Enum):
    """Everything a person can do with an existing incident, one per service function."""

    REPLY = "reply"  # a public reply; the requester's side reopens a resolved incident
    NOTE = "note"
    CONFIRM = "confirm"  # the requester's side: the resolution works, close it
    REJECT = "reject"  # the requester's side: still broken, reopen it
    RATE = "rate"
    WITHDRAW = "withdraw"
    SELF_RESOLVE = "self_resolve"  # a help article solved it: resolve and close
    ASSIGN = "assign"
    ESCALATE = "escalate"  # to the next support tier's team, with a reason
    TAKE_OWNERSHIP = "take_ownership"
    CLASSIFY = "classify"
    CHANGE_STATUS = "change_status"  # a plain status change, not resolve or cancel
    RESOLVE = "resolve"
    CANCEL = "cancel"
    MERGE = "merge"
    LINK = "link"  # link and unlink related incidents
    ADD_PARTICIPANT = "add_participant"
    REMOVE_PARTICIPANT = "remove_participant"
    CHANGE_REQUESTER = "change_requester"


# What the requester's side does from the portal (and the mail links); agents use the console.
PORTAL_ACTIONS = frozenset(
    {Action.REPLY, Action.CONFIRM, Action.REJECT, Action.RATE, Action.WITHDRAW}
)
# What the agents' console offers: the requester's decisions are theirs, never a button here.
CONSOLE_ACTIONS = frozenset(Action) - {
    Action.CONFIRM,
    Action.REJECT,
    Action.RATE,
    Action.WITHDRAW,
    Action.SELF_RESOLVE,
}

# Statuses reached through their own action, which asks for more than a click.
SPECIAL_TARGETS = {
    lifecycle.RESOLVED: "resolve it with a resolution code and notes",
    lifecycle.CANCELLED: "cancel it with a reason",
}


@dataclass(frozen=True)
class ViewerFacts:
    """Who is acting: an agent (or admin, or the system), the requester, a participant."""

    is_agent: bool
    is_requester: bool = False
    is_participant: bool = False

    @property
    def involved(self) -> bool:
        """On the requester's side of the incident."""
        return self.is_requester or self.is_participant


@dataclass(frozen=True)
class IncidentFacts:
    """Where the incident stands; `merged_into` is the reference it was merged into."""

    status: str
    reference: str = "INC-000000"
    merged_into: str | None = None
    reopen_window_open: bool = True  # a resolved incident can still be reopened by a reply

    @property
    def finished(self) -> bool:
        """Closed, cancelled or merged: the conversation is over here."""
        return self.merged_into is not None or self.status in lifecycle.TERMINAL_STATUSES

    @property
    def live(self) -> bool:
        """Still being worked on (open and not merged)."""
        return self.merged_into is None and self.status in lifecycle.OPEN_STATUSES


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused, and whether for who the person is (`by_role`)."""

    sentence: str
    by_role: bool = False


AGENTS_ONLY = Refusal("Only agents can do that.", by_role=True)
FINISHED_CANNOT = "A closed or cancelled incident cannot {}."


def plain_status_targets(status: str) -> list[str]:
    """Statuses a plain status change can reach from `status`, in lifecycle order."""
    return [s for s in lifecycle.next_statuses(status) if s not in SPECIAL_TARGETS]


def allowed_actions(viewer: ViewerFacts, incident: IncidentFacts) -> frozenset[Action]:
    """Every action `viewer` may take on `incident` now."""
    return frozenset(a for a in Action if refusal(a, viewer, incident) is None)


def refusal(
    action: Action, viewer: ViewerFacts, incident: IncidentFacts, target: str | None = None
) -> Refusal | None:
    """Why `viewer` may not take `action` on `incident` now, or None when they may.

    `target` is the status a CHANGE_STATUS asks for; without it, the question is whether
    any plain status change is possible.
    """
    role = _ROLE_RULES.get(action, _agents_only)(viewer)
    if role is not None:
        return role
    if action is Action.CHANGE_STATUS:
        sentence = _status_change_refusal(incident, target)
    else:
        sentence = _STATE_RULES.get(action, _always)(viewer, incident)
    return Refusal(sentence) if sentence else None


def _status_change_refusal(incident: IncidentFacts, target: str | None) -> str | None:
    """A plain status change to `target` (to anything, for None) that the lifecycle refuses."""
    if target is None:
        if plain_status_targets(incident.status):
            return None
        label = lifecycle.STATUS_LABELS[incident.status].lower()
        return f"An incident that is {label} cannot change status."
    if target in SPECIAL_TARGETS:
        return f"To set that status, {SPECIAL_TARGETS[target]}."
    return _transition_refusal(incident, target)


def _transition_refusal(incident: IncidentFacts, target: str) -> str | None:
    """The state machine's sentence when the incident cannot move to `target`."""
    try:
        lifecycle.check_transition(incident.status, target)
    except lifecycle.TransitionNotAllowed as error:
        return str(error)
    return None


# --- Who may: the role rules -----------------------------------------------------------

RoleRule = Callable[[ViewerFacts], Refusal | None]


def _agents_only(viewer: ViewerFacts) -> Refusal | None:
    """Agents' work: everything the console does."""
    return None if viewer.is_agent else AGENTS_ONLY


def _agents_or_involved(viewer: ViewerFacts) -> Refusal | None:
    """The conversation is open to agents and to the requester's side."""
    if viewer.is_agent or viewer.involved:
        return None
    return Refusal("You can only act on your own incidents.", by_role=True)


def _involved(viewer: ViewerFacts) -> Refusal | None:
    """A resolution is for the requester's side to accept or turn down, not for agents."""
    if viewer.involved:
        return None
    return Refusal(
        "Only the people on this incident can confirm or reject its resolution.", by_role=True
    )


def _requester(doing: str) -> RoleRule:
    """Only the person who reported the incident may do this."""
    refused = Refusal(f"Only the person who reported the incident can {doing}.", by_role=True)
    return lambda viewer: None if viewer.is_requester else refused


_ROLE_RULES: dict[Action, RoleRule] = {
    Action.REPLY: _agents_or_involved,
    Action.CONFIRM: _involved,
    Action.REJECT: _involved,
    Action.RATE: _requester("rate it"),
    Action.WITHDRAW: _requester("withdraw it"),
    Action.SELF_RESOLVE: _requester("close it this way"),
}


# --- When: the state rules -------------------------------------------------------------

StateRule = Callable[[ViewerFacts, IncidentFacts], str | None]


def _always(viewer: ViewerFacts, incident: IncidentFacts) -> str | None:
    """No rule about where the incident stands (notes, links, removing a participant)."""
    return None


def _reply(viewer: ViewerFacts, incident: IncidentFacts) -> str | None:
    """Finished incidents take no replies; the requester's side reopens only within the window."""
    if incident.merged_into is not None:
        return f"This incident was merged into {incident.merged_into}."
    if incident.status in lifecycle.TERMINAL_STATUSES:
        return "This incident is closed. Please report a new incident if the problem is back."
    too_late = incident.status == lifecycle.RESOLVED and not incident.reopen_window_open
    if too_late and not viewer.is_agent:
        return "This incident was resolved too long ago to reopen. Please report a new one."
    return None


def _awaiting_confirmation(viewer: ViewerFacts, incident: IncidentFacts) -> str | None:
    """Only a resolution that stands can be confirmed or turned down."""
    if incident.status == lifecycle.RESOLVED and incident.merged_into is None:
        return None
    return "This incident is not waiting for your confirmation."


def _rate(viewer: ViewerFacts, incident: IncidentFacts) -> str | None:
    """A resolution can be rated, but not the duplicate that was merged away."""
    if incident.merged_into is not None:
        return f"This incident was merged into {incident.merged_into}."
    if incident.status in (lifecycle.RESOLVED, lifecycle.CLOSED):
        return None
    return "You can rate an incident once it is resolved."


def _while_live(sentence: str) -> StateRule:
    """Allowed only while the incident is open and not merged."""
    return lambda viewer, incident: None if incident.live else sentence


def _until_finished(doing: str) -> StateRule:
    """Allowed until the incident is closed or cancelled."""
    sentence = FINISHED_CANNOT.format(doing)
    return lambda viewer, incident: (
        sentence if incident.status in lifecycle.TERMINAL_STATUSES else None
    )


def _becoming(target: str) -> StateRule:
    """Allowed when the state machine lets the incident move to `target`."""
    return lambda viewer, incident: _transition_refusal(incident, target)


def _mergeable(viewer: ViewerFacts, incident: IncidentFacts) -> str | None:
    """A duplicate can be merged away once, and not after it was closed or cancelled."""
    return f"{incident.reference} is already closed or merged." if incident.finished else None


def _people_changeable(viewer: ViewerFacts, incident: IncidentFacts) -> str | None:
    """The people of a merged incident followed its conversation to the target."""
    if incident.merged_into is None:
        return None
    return f"This incident was merged into {incident.merged_into}: change the people there."


_STATE_RULES: dict[Action, StateRule] = {
    Action.REPLY: _reply,
    Action.CONFIRM: _awaiting_confirmation,
    Action.REJECT: _awaiting_confirmation,
    Action.RATE: _rate,
    Action.WITHDRAW: _while_live("This incident is no longer open, so it cannot be withdrawn."),
    Action.SELF_RESOLVE: _while_live("This incident is no longer open."),
    Action.ASSIGN: _until_finished("be reassigned"),
    Action.ESCALATE: _while_live("Only an open incident can be escalated."),
    Action.TAKE_OWNERSHIP: _until_finished("change owner"),
    Action.CLASSIFY: _until_finished("be reclassified"),
    Action.RESOLVE: _becoming(lifecycle.RESOLVED),
    Action.CANCEL: _becoming(lifecycle.CANCELLED),
    Action.MERGE: _mergeable,
    Action.ADD_PARTICIPANT: _people_changeable,
    Action.CHANGE_REQUESTER: _people_changeable,
}
