"""The incident state machine: one table of allowed transitions, pure and database-free."""

from __future__ import annotations

NEW = "new"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
ON_HOLD = "on_hold"
RESOLVED = "resolved"
CLOSED = "closed"
CANCELLED = "cancelled"

STATUSES = (NEW, ASSIGNED, IN_PROGRESS, ON_HOLD, RESOLVED, CLOSED, CANCELLED)
OPEN_STATUSES = frozenset({NEW, ASSIGNED, IN_PROGRESS, ON_HOLD})
TERMINAL_STATUSES = frozenset({CLOSED, CANCELLED})

STATUS_LABELS = {
    NEW: "New",
    ASSIGNED: "Assigned",
    IN_PROGRESS: "In progress",
    ON_HOLD: "On hold",
    RESOLVED: "Resolved",
    CLOSED: "Closed",
    CANCELLED: "Cancelled",
}

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({ASSIGNED, IN_PROGRESS, ON_HOLD, RESOLVED, CANCELLED}),
    ASSIGNED: frozenset({NEW, IN_PROGRESS, ON_HOLD, RESOLVED, CANCELLED}),
    IN_PROGRESS: frozenset({ASSIGNED, ON_HOLD, RESOLVED, CANCELLED}),
    ON_HOLD: frozenset({ASSIGNED, IN_PROGRESS, RESOLVED, CANCELLED}),
    # A resolved incident is reopened (back to work) or closed once the user confirms.
    RESOLVED: frozenset({IN_PROGRESS, CLOSED}),
    CLOSED: frozenset(),
    CANCELLED: frozenset(),
}

# Why an incident waits; "awaiting_user" pauses the SLA clock.
HOLD_REASONS = {
    "awaiting_user": "Awaiting the user",
    "awaiting_vendor": "Awaiting a vendor",
    "awaiting_change": "Awaiting a change",
    "scheduled": "Scheduled for later",
}


class TransitionNotAllowed(ValueError):
    """Raised when the state machine forbids moving from one status to another."""


# How an incident ends: the resolution codes, in the order agents are offered them.
RESOLUTION_CODES = {
    "fixed": "Fixed",
    "workaround": "Workaround provided",
    "user_error": "User error / how-to",
    "no_fault_found": "No fault found",
    "duplicate": "Duplicate",
    "third_party": "Fixed by third party",
    "self_service": "Solved by the user with a help article",
}
# The audit action holding a resolution the requester turned down, as it was proposed.
REJECTED_RESOLUTION = "resolution_rejected"
# Codes the system sets for the requester's own actions; agents do not choose them.
REQUESTER_ONLY_CODES = frozenset({"self_service"})


def can_transition(current: str, target: str) -> bool:
    """Tell whether the state machine allows current -> target."""
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    """Raise TransitionNotAllowed with a readable message unless current -> target is allowed."""
    if target not in STATUSES:
        raise TransitionNotAllowed(f"Unknown status {target!r}.")
    if not can_transition(current, target):
        raise TransitionNotAllowed(
            f"An incident that is {STATUS_LABELS[current].lower()} cannot become "
            f"{STATUS_LABELS[target].lower()}."
        )


def next_statuses(current: str) -> list[str]:
    """List the statuses reachable from current, in lifecycle order (for action menus)."""
    return [status for status in STATUSES if can_transition(current, status)]
