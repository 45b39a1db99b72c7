"""Every payload posted to the alert endpoints is kept as it came, with who sent it and what
became of it, so an admin can see why an alert did (or did not) make an incident."""

from __future__ import annotations

from helpdesk.core.unit import commit, unit_of_work
from helpdesk.extensions import db
from helpdesk.models import ReceivedAlert, User, utcnow

ERROR_MAX = 500

# What became of a payload; when it did several things, the first of these it did names it.
OPENED, RESOLVED, ADDED, REFIRED, CLEARED, REPEATED = (
    "opened",
    "resolved",
    "added",
    "refired",
    "cleared",
    "repeated",
)
ACKNOWLEDGED, IGNORED, MALFORMED, FAILED = "acknowledged", "ignored", "malformed", "failed"
BY_WEIGHT = (OPENED, RESOLVED, ADDED, REFIRED, CLEARED, REPEATED, ACKNOWLEDGED, IGNORED)


def weightiest(outcomes: list[str]) -> str:
    """The outcome that names a payload which did all of `outcomes` (IGNORED for none)."""
    return next((kind for kind in BY_WEIGHT if kind in outcomes), IGNORED)


def keep(
    source: str,
    person: User,
    body: bytes,
    outcome: str,
    error: str | None = None,
    incident_id: int | None = None,
) -> ReceivedAlert:
    """Add the payload's record to the session (the caller's unit commits it with what the
    payload did)."""
    row = ReceivedAlert(
        source=source,
        received_at=utcnow(),
        user_id=person.id,
        body=body.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
        outcome=outcome,
        error=error[:ERROR_MAX] if error else None,
        incident_id=incident_id,
    )
    db.session.add(row)
    return row


@unit_of_work
def keep_refused(source: str, person: User, body: bytes, outcome: str, error: str) -> None:
    """Keep a payload that changed nothing (malformed, or failed and rolled back), on its own."""
    keep(source, person, body, outcome, error)
    commit()
