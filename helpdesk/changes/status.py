"""A change's status and actual window: planned -> in progress -> completed or failed, or
planned -> cancelled. Starting stamps the actual start, completing or failing the actual
end, at the time given or now."""

from __future__ import annotations

from datetime import datetime

from helpdesk.changes.audit import record
from helpdesk.changes.windows import check_actual
from helpdesk.core import validation as check
from helpdesk.core.errors import InvalidInput
from helpdesk.core.unit import commit, unit_of_work
from helpdesk.core.zones import utc_iso
from helpdesk.models import CHANGE_STATUSES, Change, User, utcnow

PLANNED, IN_PROGRESS, COMPLETED, FAILED, CANCELLED = CHANGE_STATUSES
STATUS_LABELS = {
    PLANNED: "Planned",
    IN_PROGRESS: "In progress",
    COMPLETED: "Completed",
    FAILED: "Failed",
    CANCELLED: "Cancelled",
}
MOVES: dict[str, tuple[str, ...]] = {
    PLANNED: (IN_PROGRESS, CANCELLED),
    IN_PROGRESS: (COMPLETED, FAILED),
}
# The statuses of a change that has run (it has an actual start), and that has ended.
STARTED = (IN_PROGRESS, COMPLETED, FAILED)
ENDED = (COMPLETED, FAILED)


def moves_from(status: str) -> tuple[str, ...]:
    """The statuses a change may move to next from `status`."""
    return MOVES.get(status, ())


@unit_of_work
def move(change: Change, actor: User, target: str, at: datetime | None = None) -> None:
    """Move the change on; `at` is when it started (to in progress) or ended (to completed
    or failed), now when not given."""
    check.require_agent(actor)
    if target not in moves_from(change.status):
        raise InvalidInput(_refusal(change, target))
    start = at if target == IN_PROGRESS else None
    end = at if target in ENDED else None
    settle(change, actor, target, start, end)
    commit()


def settle(
    change: Change, actor: User, target: str, start: datetime | None, end: datetime | None
) -> None:
    """Set the status and the actual window it implies: times given win, stored ones stay,
    and a start or end the status needs and nobody gave is now. Records what moved (a
    mirror of an external system may only stamp times: from and to are then the same)."""
    start, end = start or change.actual_start, end or change.actual_end
    now = utcnow()
    if target in STARTED and start is None:
        start = now
    if target in ENDED and end is None:
        end = now
    check_actual(start, end, now)
    stamped = {
        name: utc_iso(moment)
        for name, moment in (("actual_start", start), ("actual_end", end))
        if moment is not None and moment != getattr(change, name)
    }
    if target != change.status or stamped:
        record(change, actor, "status", **{"from": change.status, "to": target}, **stamped)
    change.status, change.actual_start, change.actual_end = target, start, end


def _refusal(change: Change, target: str) -> str:
    """Why the change cannot move to `target`, and where it can."""
    now = STATUS_LABELS[change.status].lower()
    wanted = STATUS_LABELS.get(target, target).lower()
    options = " or ".join(STATUS_LABELS[s].lower() for s in moves_from(change.status))
    if not options:
        return f"{change.reference} is {now}: its status no longer moves."
    return f"{change.reference} is {now}: it can move to {options}, not to {wanted}."
