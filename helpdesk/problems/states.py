"""The problem lifecycle as a pure rule: which status may follow which, and what a move
needs (a known error needs its workaround; resolving needs a fix, given by `resolving`)."""

from __future__ import annotations

from helpdesk.models.problem import KNOWN_ERROR

NEW, INVESTIGATING, RESOLVED, CLOSED = "new", "investigating", "resolved", "closed"
LABELS = {
    NEW: "New",
    INVESTIGATING: "Investigating",
    KNOWN_ERROR: "Known error",
    RESOLVED: "Resolved",
    CLOSED: "Closed",
}
# new -> investigating -> known error -> resolved -> closed; a fix may come before any
# workaround (investigating -> resolved), and a fix that did not hold reopens it.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    NEW: (INVESTIGATING,),
    INVESTIGATING: (KNOWN_ERROR, RESOLVED),
    KNOWN_ERROR: (RESOLVED,),
    RESOLVED: (CLOSED, INVESTIGATING),
    CLOSED: (),
}
# Problems still being worked on: their incidents may still be linked to them.
LIVE = (NEW, INVESTIGATING, KNOWN_ERROR)


def move_refusal(current: str, target: str, has_workaround: bool) -> str | None:
    """Why a problem in `current` cannot move to `target`, or None when it can."""
    if target not in LABELS:
        return f"Unknown status {target!r}: choose one of {', '.join(LABELS)}."
    if target not in TRANSITIONS.get(current, ()):
        return (
            f"A problem that is {LABELS.get(current, current).lower()} cannot become "
            f"{LABELS[target].lower()}."
        )
    if target == KNOWN_ERROR and not has_workaround:
        return "A known error needs its workaround: write the workaround first."
    return None


def plain_targets(current: str) -> tuple[str, ...]:
    """The statuses a plain status move offers (resolving asks for the fix instead)."""
    return tuple(target for target in TRANSITIONS.get(current, ()) if target != RESOLVED)
